// Reference TOSA 1.0 CONV3D: 3-D convolution of an NDHWC input with ODHWI weights, plus bias.
// Integer results are bit-exact with the specification's pseudo-code.
#ifndef INFERD_BACKENDS_CPU_KERNELS_CONV3D_H_
#define INFERD_BACKENDS_CPU_KERNELS_CONV3D_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Geometry and zero points of one CONV3D. Preconditions, checked once by the graph validator:
//   - every dimension >= 1; input [batch, input_depth, input_height, input_width,
//     input_channels], weight [output_channels, kernel_depth, kernel_height, kernel_width,
//     input_channels], output [batch, output_depth, output_height, output_width, output_channels];
//   - pads >= 0, strides >= 1, dilations >= 1, and
//     output_depth = (input_depth - 1 + pad_front + pad_back - (kernel_depth - 1) * dilation_d)
//                    / stride_d + 1 exactly (likewise height and width);
//   - bias_size is 1 or output_channels;
//   - zero points are 0 except for int8 input / int8 weight.
struct Conv3dParams {
  int32_t batch = 1;
  int32_t input_depth = 1;
  int32_t input_height = 1;
  int32_t input_width = 1;
  int32_t input_channels = 1;
  int32_t output_depth = 1;
  int32_t output_height = 1;
  int32_t output_width = 1;
  int32_t output_channels = 1;
  int32_t kernel_depth = 1;
  int32_t kernel_height = 1;
  int32_t kernel_width = 1;
  int32_t pad_front = 0;
  int32_t pad_back = 0;
  int32_t pad_top = 0;
  int32_t pad_bottom = 0;
  int32_t pad_left = 0;
  int32_t pad_right = 0;
  int32_t stride_d = 1;
  int32_t stride_y = 1;
  int32_t stride_x = 1;
  int32_t dilation_d = 1;
  int32_t dilation_y = 1;
  int32_t dilation_x = 1;
  int32_t bias_size = 1;
  int32_t input_zp = 0;
  int32_t weight_zp = 0;
};

// int8 x int8, int32 accumulator and output. kUnpredictable when an output (before or after the
// bias) leaves int32.
KernelStatus Conv3dInt8(const Conv3dParams& params, const int8_t* input, const int8_t* weight,
                        const int32_t* bias, int32_t* output);

// int16 x int8, int48 accumulator; bias and output are int48 values held in int64_t.
// kUnpredictable when an output leaves 48 bits.
KernelStatus Conv3dInt16(const Conv3dParams& params, const int16_t* input, const int8_t* weight,
                         const int64_t* bias, int64_t* output);

// fp32 accumulated in fp32 in the specification's order (kd, ky, kx, ic); padded positions are
// skipped. Zero points are ignored.
void Conv3dFp32(const Conv3dParams& params, const float* input, const float* weight,
                const float* bias, float* output);

// FP16 (PRO-FP) with fp16 or fp32 accumulation, BF16 (EXT-BF16) with fp32 accumulation; every
// product and sum rounds to the accumulator type as the specification's acc_t does (see
// conv_accumulator.h). Zero points are ignored.
void Conv3dFp16(const Conv3dParams& params, const Fp16* input, const Fp16* weight, const Fp16* bias,
                Fp16* output, bool fp16_accumulator);
void Conv3dBf16(const Conv3dParams& params, const Bf16* input, const Bf16* weight, const Bf16* bias,
                Bf16* output);
// EXT-FP8E4M3 / EXT-FP8E5M2: FP8 input and weights, FP16 bias and output, fp16 accumulation.
void Conv3dFp8(const Conv3dParams& params, const Fp8E4M3* input, const Fp8E4M3* weight,
               const Fp16* bias, Fp16* output);
void Conv3dFp8(const Conv3dParams& params, const Fp8E5M2* input, const Fp8E5M2* weight,
               const Fp16* bias, Fp16* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_CONV3D_H_
