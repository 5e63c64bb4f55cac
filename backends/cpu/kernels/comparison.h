// Reference TOSA 1.0 comparison operators EQUAL, GREATER and GREATER_EQUAL: int32 or float inputs
// (broadcasting, ranks 0 to 6) to BOOL outputs of one byte, 0 or 1. Any comparison with a NaN is
// false.
#ifndef INFERD_BACKENDS_CPU_KERNELS_COMPARISON_H_
#define INFERD_BACKENDS_CPU_KERNELS_COMPARISON_H_

#include <cstdint>

#include "backends/cpu/kernels/broadcast.h"
#include "backends/cpu/kernels/float_formats.h"

namespace inferd::cpu::kernels {

enum class CompareOp : uint8_t { kEqual, kGreater, kGreaterEqual };

// T is int32_t, float, Fp16 or Bf16.
template <typename T>
void Compare(CompareOp op, const BroadcastShape& shape, const T* input1, const T* input2,
             uint8_t* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_COMPARISON_H_
