#include "backends/cpu/kernels/bitwise_shift.h"

#include <cstdint>
#include <type_traits>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

template <typename T>
constexpr int32_t kBits = static_cast<int32_t>(sizeof(T) * 8);

// The shift amount REQUIREd to lie in [0, width); out-of-range amounts are flagged and reduced
// modulo the width so the kernel never shifts by more than C++ allows.
template <typename T>
int32_t ShiftAmount(T value, bool& unpredictable) {
  const int32_t amount = value;
  if (amount < 0 || amount >= kBits<T>) {
    unpredictable = true;
    return amount & (kBits<T> - 1);
  }
  return amount;
}

KernelStatus StatusOf(bool unpredictable) {
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

}  // namespace

template <typename T>
void BitwiseBinary(BitwiseOp op, const BroadcastShape& shape, const T* input1, const T* input2,
                   T* output) {
  switch (op) {
    case BitwiseOp::kAnd:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return static_cast<T>(a & b); });
      return;
    case BitwiseOp::kOr:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return static_cast<T>(a | b); });
      return;
    case BitwiseOp::kXor:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return static_cast<T>(a ^ b); });
      return;
  }
}

template <typename T>
void BitwiseNot(const T* input, T* output, int64_t count) {
  for (int64_t i = 0; i < count; ++i) output[i] = static_cast<T>(~input[i]);
}

template <typename T>
KernelStatus LogicalLeftShift(const BroadcastShape& shape, const T* input1, const T* input2,
                              T* output) {
  using U = std::make_unsigned_t<T>;
  bool unpredictable = false;
  ForEachBroadcast(shape, input1, input2, output, [&unpredictable](T a, T b) {
    const int32_t amount = ShiftAmount(b, unpredictable);
    // Shift as unsigned 32-bit so that no signed overflow occurs; the cast keeps T's low bits.
    return static_cast<T>(static_cast<U>(static_cast<uint32_t>(static_cast<U>(a)) << amount));
  });
  return StatusOf(unpredictable);
}

template <typename T>
KernelStatus LogicalRightShift(const BroadcastShape& shape, const T* input1, const T* input2,
                               T* output) {
  using U = std::make_unsigned_t<T>;
  bool unpredictable = false;
  ForEachBroadcast(shape, input1, input2, output, [&unpredictable](T a, T b) {
    const int32_t amount = ShiftAmount(b, unpredictable);
    return static_cast<T>(static_cast<U>(a) >> amount);
  });
  return StatusOf(unpredictable);
}

template <typename T>
KernelStatus ArithmeticRightShift(const BroadcastShape& shape, const T* input1, const T* input2,
                                  bool round, T* output) {
  bool unpredictable = false;
  ForEachBroadcast(shape, input1, input2, output, [&unpredictable, round](T a, T b) {
    const int32_t amount = ShiftAmount(b, unpredictable);
    const int32_t value = a;
    int32_t result = value >> amount;  // arithmetic in C++20
    if (round && amount > 0 && ((value >> (amount - 1)) & 1) != 0) ++result;
    // result + 1 never leaves T's range: a positive shift halves the magnitude first.
    return static_cast<T>(result);
  });
  return StatusOf(unpredictable);
}

void CountLeadingZeros(const int32_t* input, int32_t* output, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    output[i] = CountLeadingZeros32(static_cast<uint32_t>(input[i]));
  }
}

#define INFERD_INSTANTIATE_BITWISE(T)                                                            \
  template void BitwiseBinary<T>(BitwiseOp, const BroadcastShape&, const T*, const T*, T*);      \
  template void BitwiseNot<T>(const T*, T*, int64_t);                                            \
  template KernelStatus LogicalLeftShift<T>(const BroadcastShape&, const T*, const T*, T*);      \
  template KernelStatus LogicalRightShift<T>(const BroadcastShape&, const T*, const T*, T*);     \
  template KernelStatus ArithmeticRightShift<T>(const BroadcastShape&, const T*, const T*, bool, \
                                                T*);
INFERD_INSTANTIATE_BITWISE(int8_t)
INFERD_INSTANTIATE_BITWISE(int16_t)
INFERD_INSTANTIATE_BITWISE(int32_t)
#undef INFERD_INSTANTIATE_BITWISE

}  // namespace inferd::cpu::kernels
