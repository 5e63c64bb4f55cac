// Reference TOSA 1.0 ARGMAX: the index of the first largest element along one axis, with the
// specification's NaN handling for floating-point inputs.
#ifndef INFERD_BACKENDS_CPU_KERNELS_ARGMAX_H_
#define INFERD_BACKENDS_CPU_KERNELS_ARGMAX_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/reduction.h"

namespace inferd::cpu::kernels {

// The input is [outer, length, inner] around the axis (ReduceParams); the output [outer, inner].
void ArgMaxInt8(const ReduceParams& params, const int8_t* input, int32_t* output);
void ArgMaxInt16(const ReduceParams& params, const int16_t* input, int32_t* output);
// kPropagate: the index of the first NaN if there is one. kIgnore: NaNs are skipped; an all-NaN
// axis gives 0.
void ArgMaxFp32(const ReduceParams& params, const float* input, int32_t* output, NanMode nan_mode);
// FP16 (PRO-FP) and BF16 (EXT-BF16), with the fp32 rules.
void ArgMaxFp16(const ReduceParams& params, const Fp16* input, int32_t* output, NanMode nan_mode);
void ArgMaxBf16(const ReduceParams& params, const Bf16* input, int32_t* output, NanMode nan_mode);
// EXT-FP8E4M3 / EXT-FP8E5M2, with the same rules.
void ArgMaxFp8E4M3(const ReduceParams& params, const Fp8E4M3* input, int32_t* output,
                   NanMode nan_mode);
void ArgMaxFp8E5M2(const ReduceParams& params, const Fp8E5M2* input, int32_t* output,
                   NanMode nan_mode);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_ARGMAX_H_
