#include "backends/cpu/kernels/comparison.h"

#include <cstdint>

namespace inferd::cpu::kernels {
namespace {

// Integers compare as themselves; floats through their exact fp64 value, where NaN compares false.
inline int32_t Value(int32_t v) { return v; }
template <typename T>
inline double Value(T v) {
  return Widen(v);
}

}  // namespace

template <typename T>
void Compare(CompareOp op, const BroadcastShape& shape, const T* input1, const T* input2,
             uint8_t* output) {
  switch (op) {
    case CompareOp::kEqual:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return static_cast<uint8_t>(Value(a) == Value(b)); });
      return;
    case CompareOp::kGreater:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return static_cast<uint8_t>(Value(a) > Value(b)); });
      return;
    case CompareOp::kGreaterEqual:
      ForEachBroadcast(shape, input1, input2, output,
                       [](T a, T b) { return static_cast<uint8_t>(Value(a) >= Value(b)); });
      return;
  }
}

template void Compare<int32_t>(CompareOp, const BroadcastShape&, const int32_t*, const int32_t*,
                               uint8_t*);
template void Compare<float>(CompareOp, const BroadcastShape&, const float*, const float*,
                             uint8_t*);
template void Compare<Fp16>(CompareOp, const BroadcastShape&, const Fp16*, const Fp16*, uint8_t*);
template void Compare<Bf16>(CompareOp, const BroadcastShape&, const Bf16*, const Bf16*, uint8_t*);

}  // namespace inferd::cpu::kernels
