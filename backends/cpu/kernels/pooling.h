// Reference TOSA 1.0 MAX_POOL2D and AVG_POOL2D over NHWC tensors. Integer results are bit-exact
// with the specification (AVG_POOL2D divides through reciprocal_scale and apply_scale_32).
#ifndef INFERD_BACKENDS_CPU_KERNELS_POOLING_H_
#define INFERD_BACKENDS_CPU_KERNELS_POOLING_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Geometry of one pooling op. Preconditions (graph validator): input is
// [batch, input_height, input_width, channels], output [batch, output_height, output_width,
// channels]; kernel and stride >= 1; 0 <= pad < kernel on each side (so every window holds at least
// one input element); output_height = (input_height + pad_top + pad_bottom - kernel_height) /
// stride_y + 1 exactly, likewise the width. Zero points are used by AVG_POOL2D int8 only (0 else).
struct Pool2dParams {
  int32_t batch = 1;
  int32_t input_height = 1;
  int32_t input_width = 1;
  int32_t channels = 1;
  int32_t output_height = 1;
  int32_t output_width = 1;
  int32_t kernel_height = 1;
  int32_t kernel_width = 1;
  int32_t stride_y = 1;
  int32_t stride_x = 1;
  int32_t pad_top = 0;
  int32_t pad_bottom = 0;
  int32_t pad_left = 0;
  int32_t pad_right = 0;
  int32_t input_zp = 0;
  int32_t output_zp = 0;
};

void MaxPool2dInt8(const Pool2dParams& params, const int8_t* input, int8_t* output);
void MaxPool2dInt16(const Pool2dParams& params, const int16_t* input, int16_t* output);
// kPropagate: a NaN in the window gives NaN. kIgnore: NaNs are skipped; an all-NaN window gives
// NaN.
void MaxPool2dFp32(const Pool2dParams& params, const float* input, float* output, NanMode nan_mode);

// Averages count only the input elements inside the window (padding excluded). Integer versions
// sum (value - input_zp) in int32, scale by reciprocal_scale(count), add output_zp and saturate;
// kUnpredictable when the int32 sum overflows.
KernelStatus AvgPool2dInt8(const Pool2dParams& params, const int8_t* input, int8_t* output);
KernelStatus AvgPool2dInt16(const Pool2dParams& params, const int16_t* input, int16_t* output);
// fp32 sums in fp32 in window order, then divides by the count.
void AvgPool2dFp32(const Pool2dParams& params, const float* input, float* output);

// FP16 (PRO-FP) and BF16 (EXT-BF16). MAX_POOL2D as for fp32. AVG_POOL2D sums and divides in the
// accumulator type (fp16 or fp32 for FP16, fp32 for BF16), rounding every step as the
// specification's acc_t does, then rounds the average to the element type.
void MaxPool2dFp16(const Pool2dParams& params, const Fp16* input, Fp16* output, NanMode nan_mode);
void MaxPool2dBf16(const Pool2dParams& params, const Bf16* input, Bf16* output, NanMode nan_mode);
void AvgPool2dFp16(const Pool2dParams& params, const Fp16* input, Fp16* output,
                   bool fp16_accumulator);
void AvgPool2dBf16(const Pool2dParams& params, const Bf16* input, Bf16* output);

// EXT-FP8E4M3 / EXT-FP8E5M2: MAX_POOL2D as for fp32; AVG_POOL2D accumulates in fp16.
void MaxPool2dFp8(const Pool2dParams& params, const Fp8E4M3* input, Fp8E4M3* output,
                  NanMode nan_mode);
void MaxPool2dFp8(const Pool2dParams& params, const Fp8E5M2* input, Fp8E5M2* output,
                  NanMode nan_mode);
void AvgPool2dFp8(const Pool2dParams& params, const Fp8E4M3* input, Fp8E4M3* output);
void AvgPool2dFp8(const Pool2dParams& params, const Fp8E5M2* input, Fp8E5M2* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_POOLING_H_
