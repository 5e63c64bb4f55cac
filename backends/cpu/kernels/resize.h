// Reference TOSA 1.0 RESIZE of NHWC images, NEAREST_NEIGHBOR and BILINEAR, with the
// specification's fixed-point sampling positions (scale numerator / denominator, offset).
// Integer results are bit-exact with the specification.
#ifndef INFERD_BACKENDS_CPU_KERNELS_RESIZE_H_
#define INFERD_BACKENDS_CPU_KERNELS_RESIZE_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Preconditions (graph validator): input [batch, input_height, input_width, channels], output
// [batch, output_height, output_width, channels]; 0 < scale_n <= 2048, 0 < scale_d < 16 * scale_n,
// -scale_n <= offset < 16 * scale_n, and the output size follows from scale, offset and border
// (the border only sets the output size, so the kernel does not take it).
struct ResizeParams {
  int32_t batch = 1;
  int32_t input_height = 1;
  int32_t input_width = 1;
  int32_t channels = 1;
  int32_t output_height = 1;
  int32_t output_width = 1;
  int32_t scale_y_n = 1;
  int32_t scale_y_d = 1;
  int32_t scale_x_n = 1;
  int32_t scale_x_d = 1;
  int32_t offset_y = 0;
  int32_t offset_x = 0;
};

void ResizeNearestInt8(const ResizeParams& params, const int8_t* input, int8_t* output);
void ResizeNearestInt16(const ResizeParams& params, const int16_t* input, int16_t* output);
void ResizeNearestFp32(const ResizeParams& params, const float* input, float* output);

// Integer bilinear results keep the scale: each output is the sum of the four neighbours
// weighted by (scale_y_n - dy or dy) * (scale_x_n - dx or dx), i.e. scale_y_n * scale_x_n times
// the interpolated value. int8 gives int32; int16 gives int48 held in int64_t.
void ResizeBilinearInt8(const ResizeParams& params, const int8_t* input, int32_t* output);
void ResizeBilinearInt16(const ResizeParams& params, const int16_t* input, int64_t* output);
// fp32 interpolates with fractional weights computed and accumulated in fp32.
void ResizeBilinearFp32(const ResizeParams& params, const float* input, float* output);

// FP16 (PRO-FP) and BF16 (EXT-BF16): resize_t is the element type, so the fraction, the weights
// and every product and sum round to it, as the specification's pseudo-code does.
void ResizeNearestFp16(const ResizeParams& params, const Fp16* input, Fp16* output);
void ResizeNearestBf16(const ResizeParams& params, const Bf16* input, Bf16* output);
void ResizeBilinearFp16(const ResizeParams& params, const Fp16* input, Fp16* output);
void ResizeBilinearBf16(const ResizeParams& params, const Bf16* input, Bf16* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_RESIZE_H_
