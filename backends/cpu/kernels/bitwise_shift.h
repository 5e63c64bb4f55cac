// Reference TOSA 1.0 bitwise and shift operators on int8/int16/int32 tensors: BITWISE_AND, _OR,
// _XOR, _NOT, LOGICAL_LEFT_SHIFT, LOGICAL_RIGHT_SHIFT, ARITHMETIC_RIGHT_SHIFT and CLZ. Bit-exact
// with the specification; binary operators broadcast (ranks 0 to 6).
#ifndef INFERD_BACKENDS_CPU_KERNELS_BITWISE_SHIFT_H_
#define INFERD_BACKENDS_CPU_KERNELS_BITWISE_SHIFT_H_

#include <cstdint>

#include "backends/cpu/kernels/broadcast.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

enum class BitwiseOp : uint8_t { kAnd, kOr, kXor };

// T is int8_t, int16_t or int32_t throughout.
template <typename T>
void BitwiseBinary(BitwiseOp op, const BroadcastShape& shape, const T* input1, const T* input2,
                   T* output);

template <typename T>
void BitwiseNot(const T* input, T* output, int64_t count);

// The shifts REQUIRE 0 <= input2 < bit width of T; kUnpredictable otherwise (the element then
// holds the result for the shift amount taken modulo the width).
//
// LOGICAL_LEFT_SHIFT keeps the low bits of T; LOGICAL_RIGHT_SHIFT shifts the value as an unsigned
// T (zeros come in at the top).
template <typename T>
KernelStatus LogicalLeftShift(const BroadcastShape& shape, const T* input1, const T* input2,
                              T* output);
template <typename T>
KernelStatus LogicalRightShift(const BroadcastShape& shape, const T* input1, const T* input2,
                               T* output);

// Sign-propagating right shift; with `round` the last bit shifted out is added back (round half
// up), so -3 >> 1 gives -1.
template <typename T>
KernelStatus ArithmeticRightShift(const BroadcastShape& shape, const T* input1, const T* input2,
                                  bool round, T* output);

// Number of leading zero bits of each int32 element (32 for 0).
void CountLeadingZeros(const int32_t* input, int32_t* output, int64_t count);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_BITWISE_SHIFT_H_
