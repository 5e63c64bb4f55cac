#include "backends/cpu/kernels/elementwise_arithmetic.h"

#include <cmath>
#include <cstdint>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {

template <typename T>
void FloatBinary(FloatBinaryOp op, NanMode nan_mode, const BroadcastShape& shape, const T* input1,
                 const T* input2, T* output) {
  // Each branch widens both operands exactly, computes in fp64 and rounds once.
  switch (op) {
    case FloatBinaryOp::kAdd:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return Narrow<T>(Widen(a) + Widen(b)); });
      return;
    case FloatBinaryOp::kSub:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return Narrow<T>(Widen(a) - Widen(b)); });
      return;
    case FloatBinaryOp::kMul:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return Narrow<T>(Widen(a) * Widen(b)); });
      return;
    case FloatBinaryOp::kMaximum:
      ForEachBroadcast(shape, input1, input2, output, [nan_mode](T a, T b) {
        return Narrow<T>(ApplyMaxFp(Widen(a), Widen(b), nan_mode));
      });
      return;
    case FloatBinaryOp::kMinimum:
      ForEachBroadcast(shape, input1, input2, output, [nan_mode](T a, T b) {
        return Narrow<T>(ApplyMinFp(Widen(a), Widen(b), nan_mode));
      });
      return;
    case FloatBinaryOp::kPow:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return Narrow<T>(std::pow(Widen(a), Widen(b))); });
      return;
  }
}

template void FloatBinary<float>(FloatBinaryOp, NanMode, const BroadcastShape&, const float*,
                                 const float*, float*);
template void FloatBinary<Fp16>(FloatBinaryOp, NanMode, const BroadcastShape&, const Fp16*,
                                const Fp16*, Fp16*);
template void FloatBinary<Bf16>(FloatBinaryOp, NanMode, const BroadcastShape&, const Bf16*,
                                const Bf16*, Bf16*);

void MaximumInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                  int32_t* output) {
  ForEachBroadcast(shape, input1, input2, output,
                   [](int32_t a, int32_t b) { return a >= b ? a : b; });
}

void MinimumInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                  int32_t* output) {
  ForEachBroadcast(shape, input1, input2, output,
                   [](int32_t a, int32_t b) { return a < b ? a : b; });
}

KernelStatus IntDivInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                         int32_t* output) {
  bool unpredictable = false;
  ForEachBroadcast(shape, input1, input2, output, [&unpredictable](int32_t a, int32_t b) {
    if (b == 0) {
      unpredictable = true;
      return int32_t{0};
    }
    // C++ division truncates toward zero, as apply_intdiv_s does; in int64 so that
    // INT32_MIN / -1 is computed rather than trapping, then range-checked.
    const int64_t quotient = int64_t{a} / b;
    if (!InRange(quotient, INT32_MIN, INT32_MAX)) {
      unpredictable = true;
      return static_cast<int32_t>(INT32_MIN);
    }
    return static_cast<int32_t>(quotient);
  });
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

}  // namespace inferd::cpu::kernels
