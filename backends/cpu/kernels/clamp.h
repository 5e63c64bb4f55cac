// Reference TOSA 1.0 CLAMP: limits every element to [min_val, max_val].
#ifndef INFERD_BACKENDS_CPU_KERNELS_CLAMP_H_
#define INFERD_BACKENDS_CPU_KERNELS_CLAMP_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Preconditions (graph validator): min_val <= max_val and, for fp32, neither is NaN.
// input and output may be the same buffer.
void ClampInt8(const int8_t* input, int8_t* output, int64_t count, int8_t min_val, int8_t max_val);
void ClampInt16(const int16_t* input, int16_t* output, int64_t count, int16_t min_val,
                int16_t max_val);

// fp32: a NaN element stays NaN under kPropagate and becomes min_val under kIgnore (the
// specification clips with max(value, min_val) then min(value, max_val)).
void ClampFp32(const float* input, float* output, int64_t count, float min_val, float max_val,
               NanMode nan_mode);

// fp16 / bf16, with the fp32 rules; every result is an input element or a bound, so computing in
// fp32 (which holds both formats exactly) and narrowing back is exact.
void ClampFp16(const Fp16* input, Fp16* output, int64_t count, Fp16 min_val, Fp16 max_val,
               NanMode nan_mode);
void ClampBf16(const Bf16* input, Bf16* output, int64_t count, Bf16 min_val, Bf16 max_val,
               NanMode nan_mode);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_CLAMP_H_
