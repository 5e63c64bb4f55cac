// Reference TOSA 1.0 CAST between BOOL, INT8, INT16, INT32, FP16, BF16 and FP32 elements, and
// between the FP8 types and FP16, BF16, FP32:
// integer narrowing keeps the low bits, integer widening sign-extends, float to integer rounds to
// nearest with ties to even and saturates, anything to float rounds to nearest even once (so an
// int32 reaches fp16 without double rounding), BOOL is 0/1 and anything non-zero casts to true.
#ifndef INFERD_BACKENDS_CPU_KERNELS_CAST_H_
#define INFERD_BACKENDS_CPU_KERNELS_CAST_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// InT and OutT are int8_t, int16_t, int32_t, float, Fp16 or Bf16; or one of them Fp8E4M3 /
// Fp8E5M2 and the other float, Fp16 or Bf16. The specification leaves a NaN
// cast to an integer unpredictable: such an element becomes 0 and the call returns
// kUnpredictable.
template <typename InT, typename OutT>
KernelStatus Cast(const InT* input, OutT* output, int64_t count);

// BOOL (one byte, non-zero is true) to OutT: 1 or 0 (1.0 or 0.0).
template <typename OutT>
void CastFromBool(const uint8_t* input, OutT* output, int64_t count);

// InT to BOOL: input != 0 (so NaN is true and -0.0 false).
template <typename InT>
void CastToBool(const InT* input, uint8_t* output, int64_t count);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_CAST_H_
