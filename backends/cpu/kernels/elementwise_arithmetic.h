// Reference TOSA 1.0 binary arithmetic beyond elementwise_binary.h's int32/fp32 ADD, SUB and MUL:
// those three for FP16/BF16, MAXIMUM and MINIMUM (int32 and floats, with nan_mode), INTDIV and
// POW. Broadcasting as in broadcast.h. Integer results are bit-exact; float results are the fp64
// result rounded once to the element type.
#ifndef INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_ARITHMETIC_H_
#define INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_ARITHMETIC_H_

#include <cstdint>

#include "backends/cpu/kernels/broadcast.h"
#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

enum class FloatBinaryOp : uint8_t { kAdd, kSub, kMul, kMaximum, kMinimum, kPow };

// T is float, Fp16 or Bf16. nan_mode only matters for kMaximum / kMinimum, which follow the
// specification's apply_max_s / apply_min_s (for two zeros of either sign the first operand wins
// MAXIMUM ties and the second MINIMUM ties). ADD, SUB and MUL of fp16/bf16 are correctly rounded
// (fp64 holds the exact result). POW has REQUIREs (input1 >= 0, not both zero, finite operands)
// that the result does not check: outside them it is std::pow's.
template <typename T>
void FloatBinary(FloatBinaryOp op, NanMode nan_mode, const BroadcastShape& shape, const T* input1,
                 const T* input2, T* output);

// MAXIMUM / MINIMUM of int32.
void MaximumInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                  int32_t* output);
void MinimumInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                  int32_t* output);

// INTDIV: the quotient truncated toward zero (-7 / 2 == -3, 7 / -2 == -3). kUnpredictable when a
// divisor is 0 (the element is 0) or for INT32_MIN / -1 (the element is INT32_MIN).
KernelStatus IntDivInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                         int32_t* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_ARITHMETIC_H_
