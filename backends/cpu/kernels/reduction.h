// Reference TOSA 1.0 reduction operators REDUCE_ALL, REDUCE_ANY, REDUCE_MAX, REDUCE_MIN,
// REDUCE_PRODUCT and REDUCE_SUM: each reduces one axis of a tensor to size 1, visiting the axis in
// index order as the specification's pseudo-code does.
#ifndef INFERD_BACKENDS_CPU_KERNELS_REDUCTION_H_
#define INFERD_BACKENDS_CPU_KERNELS_REDUCTION_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// The input seen as [outer, length, inner] around the reduced axis; the output is [outer, inner].
// All three are >= 1 (a rank-0 tensor is not reduced: the validator needs an axis < rank).
struct ReduceParams {
  int64_t outer = 1;
  int32_t length = 1;
  int64_t inner = 1;
};

// Booleans are one byte each; any non-zero byte reads as true, and results are written as 0 / 1.
void ReduceAll(const ReduceParams& params, const uint8_t* input, uint8_t* output);
void ReduceAny(const ReduceParams& params, const uint8_t* input, uint8_t* output);

void ReduceMaxInt8(const ReduceParams& params, const int8_t* input, int8_t* output);
void ReduceMaxInt16(const ReduceParams& params, const int16_t* input, int16_t* output);
void ReduceMaxInt32(const ReduceParams& params, const int32_t* input, int32_t* output);
// kPropagate: any NaN makes the result NaN. kIgnore: NaNs are skipped; all-NaN gives NaN.
void ReduceMaxFp32(const ReduceParams& params, const float* input, float* output, NanMode nan_mode);

void ReduceMinInt8(const ReduceParams& params, const int8_t* input, int8_t* output);
void ReduceMinInt16(const ReduceParams& params, const int16_t* input, int16_t* output);
void ReduceMinInt32(const ReduceParams& params, const int32_t* input, int32_t* output);
void ReduceMinFp32(const ReduceParams& params, const float* input, float* output, NanMode nan_mode);

// fp32 product accumulated in fp32 in axis order.
void ReduceProductFp32(const ReduceParams& params, const float* input, float* output);

// int32 sum; kUnpredictable when a partial sum leaves int32 (the specification's apply_add_s
// REQUIRE), the output then holds the wrapped sum.
KernelStatus ReduceSumInt32(const ReduceParams& params, const int32_t* input, int32_t* output);
// fp32 sum accumulated in fp32 in axis order.
void ReduceSumFp32(const ReduceParams& params, const float* input, float* output);

// FP16 (PRO-FP) and BF16 (EXT-BF16). MAX / MIN return one of the inputs, or NaN, as the fp32
// versions do. SUM accumulates in the specification's acc_t: fp16 for FP16, fp32 for BF16.
// PRODUCT rounds every step to the element type.
void ReduceMaxFp16(const ReduceParams& params, const Fp16* input, Fp16* output, NanMode nan_mode);
void ReduceMaxBf16(const ReduceParams& params, const Bf16* input, Bf16* output, NanMode nan_mode);
void ReduceMinFp16(const ReduceParams& params, const Fp16* input, Fp16* output, NanMode nan_mode);
void ReduceMinBf16(const ReduceParams& params, const Bf16* input, Bf16* output, NanMode nan_mode);
void ReduceSumFp16(const ReduceParams& params, const Fp16* input, Fp16* output);
void ReduceSumBf16(const ReduceParams& params, const Bf16* input, Bf16* output);
void ReduceProductFp16(const ReduceParams& params, const Fp16* input, Fp16* output);
void ReduceProductBf16(const ReduceParams& params, const Bf16* input, Bf16* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_REDUCTION_H_
