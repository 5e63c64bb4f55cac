// The arithmetic of ExecuTorch's quantize_per_tensor and dequantize_per_tensor kernels
// (quantized_decomposed:: in kernels/quantized, cortex_m:: in backends/cortex_m), which inferd runs
// on the host at the float edges of a delegated program.
//
// quantize:   q = clamp(int64(float(zero_point) + nearbyint(x * (1.0f / float(scale)))),
//                       quant_min, quant_max)
//             in FP32 throughout (the scale is cast to float, the product rounded to float), ties
//             to even (nearbyint under the default rounding mode).
// dequantize: x = float(q - int32(zero_point)) * float(scale), in FP32.
//
// Where ExecuTorch leaves the result to an out-of-range float-to-integer conversion (NaN and
// infinite inputs, undefined behaviour in C++), inferd gives what ExecuTorch's kernel gives on
// the Arm cores it is deployed on (AArch64 and Cortex-M conversions saturate and take NaN to 0):
// +inf -> quant_max, -inf -> quant_min, NaN -> clamp(0, quant_min, quant_max). Both variants
// agree on every finite input.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "engine/executorch/executorch_program.h"
#include "engine/tensor.h"

namespace inferd::executorch {

// One value, as the kernels compute it.
int64_t QuantizeValue(float value, double scale, int64_t zero_point, int64_t quant_min,
                      int64_t quant_max);
float DequantizeValue(int64_t value, double scale, int64_t zero_point);

// Whole tensors: `input` FP32 into a new tensor of step.quantized with the same shape, and back.
// INVALID_ARGUMENT when the input's type is not the one the step reads.
absl::StatusOr<Tensor> QuantizeTensor(const Tensor& input, const PerTensorQuantization& step);
absl::StatusOr<Tensor> DequantizeTensor(const Tensor& input, const PerTensorQuantization& step);

}  // namespace inferd::executorch
