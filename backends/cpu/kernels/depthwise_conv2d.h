// Reference TOSA 1.0 DEPTHWISE_CONV2D: each input channel convolved with its own `multiplier`
// filters (HWCM weights), plus bias. Integer results are bit-exact with the specification.
#ifndef INFERD_BACKENDS_CPU_KERNELS_DEPTHWISE_CONV2D_H_
#define INFERD_BACKENDS_CPU_KERNELS_DEPTHWISE_CONV2D_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Geometry and zero points of one DEPTHWISE_CONV2D. Preconditions (checked by the graph validator):
//   - input is [batch, input_height, input_width, channels], weight is
//     [kernel_height, kernel_width, channels, multiplier], output is
//     [batch, output_height, output_width, channels * multiplier];
//   - pads >= 0, strides >= 1, dilations >= 1, output sizes as for CONV2D
//     ((in - 1 + pads - (k - 1) * dilation) / stride + 1, exact division);
//   - bias_size is 1 or channels * multiplier;
//   - zero points are 0 except for int8 input / int8 weight.
struct DepthwiseConv2dParams {
  int32_t batch = 1;
  int32_t input_height = 1;
  int32_t input_width = 1;
  int32_t channels = 1;
  int32_t multiplier = 1;
  int32_t output_height = 1;
  int32_t output_width = 1;
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

// int8 x int8 with int32 accumulator and output; kUnpredictable when an output overflows int32.
KernelStatus DepthwiseConv2dInt8(const DepthwiseConv2dParams& params, const int8_t* input,
                                 const int8_t* weight, const int32_t* bias, int32_t* output);

// int16 x int8 with int48 accumulator; bias and output are int48 values held in int64_t.
KernelStatus DepthwiseConv2dInt16(const DepthwiseConv2dParams& params, const int16_t* input,
                                  const int8_t* weight, const int64_t* bias, int64_t* output);

// fp32 accumulating in fp32 in the order (ky, kx); padded positions are skipped.
void DepthwiseConv2dFp32(const DepthwiseConv2dParams& params, const float* input,
                         const float* weight, const float* bias, float* output);

// FP16 (PRO-FP) with fp16 or fp32 accumulation, BF16 (EXT-BF16) with fp32 accumulation, rounding
// as the specification's acc_t does (conv_accumulator.h). Zero points are ignored.
void DepthwiseConv2dFp16(const DepthwiseConv2dParams& params, const Fp16* input, const Fp16* weight,
                         const Fp16* bias, Fp16* output, bool fp16_accumulator);
void DepthwiseConv2dBf16(const DepthwiseConv2dParams& params, const Bf16* input, const Bf16* weight,
                         const Bf16* bias, Bf16* output);
// EXT-FP8E4M3 / EXT-FP8E5M2: FP8 input and weights, FP16 bias and output, fp16 accumulation.
void DepthwiseConv2dFp8(const DepthwiseConv2dParams& params, const Fp8E4M3* input,
                        const Fp8E4M3* weight, const Fp16* bias, Fp16* output);
void DepthwiseConv2dFp8(const DepthwiseConv2dParams& params, const Fp8E5M2* input,
                        const Fp8E5M2* weight, const Fp16* bias, Fp16* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_DEPTHWISE_CONV2D_H_
