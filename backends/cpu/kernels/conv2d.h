// Reference TOSA 1.0 CONV2D: 2-D convolution of an NHWC input with OHWI weights, plus bias.
// Integer results are bit-exact with the specification's pseudo-code.
#ifndef INFERD_BACKENDS_CPU_KERNELS_CONV2D_H_
#define INFERD_BACKENDS_CPU_KERNELS_CONV2D_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Geometry and zero points of one CONV2D. Preconditions, checked once by the graph validator
// and not by the kernel:
//   - every dimension >= 1; input is [batch, input_height, input_width, input_channels], weight is
//     [output_channels, kernel_height, kernel_width, input_channels], output is
//     [batch, output_height, output_width, output_channels];
//   - pads >= 0, strides >= 1, dilations >= 1, and
//     output_height = (input_height - 1 + pad_top + pad_bottom - (kernel_height - 1) * dilation_y)
//                     / stride_y + 1 exactly (likewise the width);
//   - bias_size is 1 or output_channels;
//   - zero points are 0 except for int8 input / int8 weight.
struct Conv2dParams {
  int32_t batch = 1;
  int32_t input_height = 1;
  int32_t input_width = 1;
  int32_t input_channels = 1;
  int32_t output_height = 1;
  int32_t output_width = 1;
  int32_t output_channels = 1;
  int32_t kernel_height = 1;
  int32_t kernel_width = 1;
  int32_t pad_top = 0;
  int32_t pad_bottom = 0;
  int32_t pad_left = 0;
  int32_t pad_right = 0;
  int32_t stride_y = 1;
  int32_t stride_x = 1;
  int32_t dilation_y = 1;
  int32_t dilation_x = 1;
  int32_t bias_size = 1;
  int32_t input_zp = 0;
  int32_t weight_zp = 0;
};

// int8 x int8 with int32 accumulator and int32 output. Returns kUnpredictable when an output
// (before or after adding the bias) does not fit int32, which the specification's REQUIREs forbid.
KernelStatus Conv2dInt8(const Conv2dParams& params, const int8_t* input, const int8_t* weight,
                        const int32_t* bias, int32_t* output);

// int16 x int8 with int48 accumulator; bias and output are int48 values held in int64_t.
// Returns kUnpredictable when an output does not fit 48 bits.
KernelStatus Conv2dInt16(const Conv2dParams& params, const int16_t* input, const int8_t* weight,
                         const int64_t* bias, int64_t* output);

// fp32 with fp32 accumulation in the specification's order (ky, kx, ic); padded positions are
// skipped (tosa_extra_multiplies = false). Zero points are ignored.
void Conv2dFp32(const Conv2dParams& params, const float* input, const float* weight,
                const float* bias, float* output);

// FP16 (PRO-FP) with fp16 or fp32 accumulation, BF16 (EXT-BF16) with fp32 accumulation, rounding
// as the specification's acc_t does (conv_accumulator.h). Zero points are ignored.
void Conv2dFp16(const Conv2dParams& params, const Fp16* input, const Fp16* weight, const Fp16* bias,
                Fp16* output, bool fp16_accumulator);
void Conv2dBf16(const Conv2dParams& params, const Bf16* input, const Bf16* weight, const Bf16* bias,
                Bf16* output);
// EXT-FP8E4M3 / EXT-FP8E5M2: FP8 input and weights, FP16 bias and output, fp16 accumulation.
void Conv2dFp8(const Conv2dParams& params, const Fp8E4M3* input, const Fp8E4M3* weight,
               const Fp16* bias, Fp16* output);
void Conv2dFp8(const Conv2dParams& params, const Fp8E5M2* input, const Fp8E5M2* weight,
               const Fp16* bias, Fp16* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_CONV2D_H_
