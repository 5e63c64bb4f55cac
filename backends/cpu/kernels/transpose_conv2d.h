// Reference TOSA 1.0 TRANSPOSE_CONV2D: the transpose (gradient) of a strided 2-D convolution of an
// NHWC input with OHWI weights, plus bias. Integer results are bit-exact with the specification.
#ifndef INFERD_BACKENDS_CPU_KERNELS_TRANSPOSE_CONV2D_H_
#define INFERD_BACKENDS_CPU_KERNELS_TRANSPOSE_CONV2D_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Preconditions (graph validator): input [batch, input_height, input_width, input_channels],
// weight [output_channels, kernel_height, kernel_width, input_channels], output
// [batch, output_height, output_width, output_channels] with
// output_height = (input_height - 1) * stride_y + out_pad_top + out_pad_bottom + kernel_height
// (likewise the width); strides >= 1; out_pad > -kernel size (negative pads crop); bias_size 1 or
// output_channels; zero points 0 except for int8.
struct TransposeConv2dParams {
  int32_t batch = 1;
  int32_t input_height = 1;
  int32_t input_width = 1;
  int32_t input_channels = 1;
  int32_t output_height = 1;
  int32_t output_width = 1;
  int32_t output_channels = 1;
  int32_t kernel_height = 1;
  int32_t kernel_width = 1;
  int32_t out_pad_top = 0;
  int32_t out_pad_bottom = 0;
  int32_t out_pad_left = 0;
  int32_t out_pad_right = 0;
  int32_t stride_y = 1;
  int32_t stride_x = 1;
  int32_t bias_size = 1;
  int32_t input_zp = 0;
  int32_t weight_zp = 0;
};

// int8 x int8, int32 accumulator and output; kUnpredictable when a result leaves int32.
KernelStatus TransposeConv2dInt8(const TransposeConv2dParams& params, const int8_t* input,
                                 const int8_t* weight, const int32_t* bias, int32_t* output);

// int16 x int8, int48 accumulator held in int64_t; kUnpredictable when a result leaves 48 bits.
KernelStatus TransposeConv2dInt16(const TransposeConv2dParams& params, const int16_t* input,
                                  const int8_t* weight, const int64_t* bias, int64_t* output);

// fp32 accumulated in fp32 in the specification's order (ky, kx, ic), skipping the positions
// that meet no input element. Zero points are ignored.
void TransposeConv2dFp32(const TransposeConv2dParams& params, const float* input,
                         const float* weight, const float* bias, float* output);

// FP16 (PRO-FP) with fp16 or fp32 accumulation, BF16 (EXT-BF16) with fp32 accumulation, rounding
// as the specification's acc_t does (see conv_accumulator.h). Zero points are ignored.
void TransposeConv2dFp16(const TransposeConv2dParams& params, const Fp16* input, const Fp16* weight,
                         const Fp16* bias, Fp16* output, bool fp16_accumulator);
void TransposeConv2dBf16(const TransposeConv2dParams& params, const Bf16* input, const Bf16* weight,
                         const Bf16* bias, Bf16* output);
// EXT-FP8E4M3 / EXT-FP8E5M2: FP8 input and weights, FP16 bias and output, fp16 accumulation.
void TransposeConv2dFp8(const TransposeConv2dParams& params, const Fp8E4M3* input,
                        const Fp8E4M3* weight, const Fp16* bias, Fp16* output);
void TransposeConv2dFp8(const TransposeConv2dParams& params, const Fp8E5M2* input,
                        const Fp8E5M2* weight, const Fp16* bias, Fp16* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_TRANSPOSE_CONV2D_H_
