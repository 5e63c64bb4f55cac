#include "backends/cpu/kernels/reduction.h"

#include <cstdint>
#include <limits>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// Folds `combine` over the axis for every (outer, inner) position, starting from `initial`.
template <typename T, typename AccT, typename Combine>
void Reduce(const ReduceParams& p, const T* input, T* output, AccT initial, Combine combine) {
  for (int64_t o = 0; o < p.outer; ++o) {
    const T* block = input + o * p.length * p.inner;
    T* out = output + o * p.inner;
    for (int64_t i = 0; i < p.inner; ++i) {
      AccT acc = initial;
      for (int32_t k = 0; k < p.length; ++k) acc = combine(acc, block[k * p.inner + i]);
      out[i] = static_cast<T>(acc);
    }
  }
}

template <typename T>
void ReduceMaxInt(const ReduceParams& p, const T* input, T* output) {
  Reduce(p, input, output, std::numeric_limits<T>::lowest(),
         [](T acc, T v) { return acc >= v ? acc : v; });
}

template <typename T>
void ReduceMinInt(const ReduceParams& p, const T* input, T* output) {
  Reduce(p, input, output, std::numeric_limits<T>::max(),
         [](T acc, T v) { return acc < v ? acc : v; });
}

// 16-bit floats are folded in fp64 (`AccT` = double) or the type's own precision; `step` gets
// and returns the running value, `finish` turns it into the element.
template <typename T, typename AccT, typename Step, typename Finish>
void ReduceFloat16(const ReduceParams& p, const T* input, T* output, AccT initial, Step step,
                   Finish finish) {
  for (int64_t o = 0; o < p.outer; ++o) {
    const T* block = input + o * p.length * p.inner;
    T* out = output + o * p.inner;
    for (int64_t i = 0; i < p.inner; ++i) {
      AccT acc = initial;
      for (int32_t k = 0; k < p.length; ++k) acc = step(acc, block[k * p.inner + i]);
      out[i] = finish(acc);
    }
  }
}

// MAX / MIN compare exactly in fp64; every fp16 / bf16 value and NaN survive the round trip.
template <typename T>
void ReduceMaxFloat16(const ReduceParams& p, const T* input, T* output, NanMode nan_mode) {
  const double initial = nan_mode == NanMode::kIgnore ? std::numeric_limits<double>::quiet_NaN()
                                                      : -std::numeric_limits<double>::infinity();
  ReduceFloat16(
      p, input, output, initial,
      [nan_mode](double acc, T v) { return ApplyMaxFp(acc, Widen(v), nan_mode); },
      [](double acc) { return Narrow<T>(acc); });
}

template <typename T>
void ReduceMinFloat16(const ReduceParams& p, const T* input, T* output, NanMode nan_mode) {
  const double initial = nan_mode == NanMode::kIgnore ? std::numeric_limits<double>::quiet_NaN()
                                                      : std::numeric_limits<double>::infinity();
  ReduceFloat16(
      p, input, output, initial,
      [nan_mode](double acc, T v) { return ApplyMinFp(acc, Widen(v), nan_mode); },
      [](double acc) { return Narrow<T>(acc); });
}

// The running value is kept in the rounding type `RoundT` after each step.
template <typename T, typename RoundT>
void ReduceSumFloat16(const ReduceParams& p, const T* input, T* output) {
  ReduceFloat16(
      p, input, output, Narrow<RoundT>(0.0),
      [](RoundT acc, T v) { return Narrow<RoundT>(Widen(acc) + Widen(v)); },
      [](RoundT acc) { return Narrow<T>(Widen(acc)); });
}

template <typename T>
void ReduceProductFloat16(const ReduceParams& p, const T* input, T* output) {
  ReduceFloat16(
      p, input, output, Narrow<T>(1.0), [](T acc, T v) { return Narrow<T>(Widen(acc) * Widen(v)); },
      [](T acc) { return acc; });
}

}  // namespace

void ReduceAll(const ReduceParams& p, const uint8_t* input, uint8_t* output) {
  Reduce(p, input, output, uint8_t{1},
         [](uint8_t acc, uint8_t v) { return static_cast<uint8_t>(acc != 0 && v != 0); });
}

void ReduceAny(const ReduceParams& p, const uint8_t* input, uint8_t* output) {
  Reduce(p, input, output, uint8_t{0},
         [](uint8_t acc, uint8_t v) { return static_cast<uint8_t>(acc != 0 || v != 0); });
}

void ReduceMaxInt8(const ReduceParams& p, const int8_t* input, int8_t* output) {
  ReduceMaxInt(p, input, output);
}
void ReduceMaxInt16(const ReduceParams& p, const int16_t* input, int16_t* output) {
  ReduceMaxInt(p, input, output);
}
void ReduceMaxInt32(const ReduceParams& p, const int32_t* input, int32_t* output) {
  ReduceMaxInt(p, input, output);
}

// The specification starts from NaN when ignoring NaNs (so an all-NaN axis stays NaN) and from
// the lowest value otherwise; minus infinity is the lowest floating-point value.
void ReduceMaxFp32(const ReduceParams& p, const float* input, float* output, NanMode nan_mode) {
  const float initial = nan_mode == NanMode::kIgnore ? std::numeric_limits<float>::quiet_NaN()
                                                     : -std::numeric_limits<float>::infinity();
  Reduce(p, input, output, initial,
         [nan_mode](float acc, float v) { return ApplyMaxFp(acc, v, nan_mode); });
}

void ReduceMinInt8(const ReduceParams& p, const int8_t* input, int8_t* output) {
  ReduceMinInt(p, input, output);
}
void ReduceMinInt16(const ReduceParams& p, const int16_t* input, int16_t* output) {
  ReduceMinInt(p, input, output);
}
void ReduceMinInt32(const ReduceParams& p, const int32_t* input, int32_t* output) {
  ReduceMinInt(p, input, output);
}

void ReduceMinFp32(const ReduceParams& p, const float* input, float* output, NanMode nan_mode) {
  const float initial = nan_mode == NanMode::kIgnore ? std::numeric_limits<float>::quiet_NaN()
                                                     : std::numeric_limits<float>::infinity();
  Reduce(p, input, output, initial,
         [nan_mode](float acc, float v) { return ApplyMinFp(acc, v, nan_mode); });
}

void ReduceProductFp32(const ReduceParams& p, const float* input, float* output) {
  Reduce(p, input, output, 1.0f, [](float acc, float v) { return acc * v; });
}

KernelStatus ReduceSumInt32(const ReduceParams& p, const int32_t* input, int32_t* output) {
  bool unpredictable = false;
  // Partial sums are kept exact in int64 and checked against int32 after every step.
  Reduce(p, input, output, int64_t{0}, [&unpredictable](int64_t acc, int32_t v) {
    int64_t sum = acc + v;
    if (!InRange(sum, INT32_MIN, INT32_MAX)) {
      unpredictable = true;
      sum = static_cast<int32_t>(static_cast<uint32_t>(sum));
    }
    return sum;
  });
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

void ReduceSumFp32(const ReduceParams& p, const float* input, float* output) {
  Reduce(p, input, output, 0.0f, [](float acc, float v) { return acc + v; });
}

void ReduceMaxFp16(const ReduceParams& p, const Fp16* input, Fp16* output, NanMode nan_mode) {
  ReduceMaxFloat16(p, input, output, nan_mode);
}
void ReduceMaxBf16(const ReduceParams& p, const Bf16* input, Bf16* output, NanMode nan_mode) {
  ReduceMaxFloat16(p, input, output, nan_mode);
}
void ReduceMinFp16(const ReduceParams& p, const Fp16* input, Fp16* output, NanMode nan_mode) {
  ReduceMinFloat16(p, input, output, nan_mode);
}
void ReduceMinBf16(const ReduceParams& p, const Bf16* input, Bf16* output, NanMode nan_mode) {
  ReduceMinFloat16(p, input, output, nan_mode);
}
void ReduceSumFp16(const ReduceParams& p, const Fp16* input, Fp16* output) {
  ReduceSumFloat16<Fp16, Fp16>(p, input, output);
}
void ReduceSumBf16(const ReduceParams& p, const Bf16* input, Bf16* output) {
  ReduceSumFloat16<Bf16, float>(p, input, output);
}
void ReduceProductFp16(const ReduceParams& p, const Fp16* input, Fp16* output) {
  ReduceProductFloat16(p, input, output);
}
void ReduceProductBf16(const ReduceParams& p, const Bf16* input, Bf16* output) {
  ReduceProductFloat16(p, input, output);
}

}  // namespace inferd::cpu::kernels
