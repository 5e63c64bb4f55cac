#include "backends/cpu/kernels/argmax.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// `initial` is the specification's starting max_value; `max` is apply_max_s(value, max_value) on
// values of type V, which `load` reads from the stored T (16-bit floats compare in fp64).
// The running index moves only when the maximum changes, and never from one NaN to another.
template <typename T, typename V, typename Load, typename Max>
void ArgMax(const ReduceParams& p, const T* input, int32_t* output, V initial, Load load, Max max) {
  for (int64_t o = 0; o < p.outer; ++o) {
    const T* block = input + o * p.length * p.inner;
    int32_t* out = output + o * p.inner;
    for (int64_t i = 0; i < p.inner; ++i) {
      V max_value = initial;
      int32_t max_index = 0;
      for (int32_t k = 0; k < p.length; ++k) {
        const V result = max(load(block[k * p.inner + i]), max_value);
        if (result != max_value) {
          if constexpr (std::numeric_limits<V>::has_quiet_NaN) {
            if (std::isnan(result) && std::isnan(max_value)) continue;
          }
          max_value = result;
          max_index = k;
        }
      }
      out[i] = max_index;
    }
  }
}

template <typename T>
void ArgMaxInt(const ReduceParams& p, const T* input, int32_t* output) {
  ArgMax(
      p, input, output, std::numeric_limits<T>::lowest(), [](T v) { return v; },
      [](T value, T max_value) { return value >= max_value ? value : max_value; });
}

template <typename T>
void ArgMaxFloat(const ReduceParams& p, const T* input, int32_t* output, NanMode nan_mode) {
  const double initial = nan_mode == NanMode::kIgnore ? std::numeric_limits<double>::quiet_NaN()
                                                      : -std::numeric_limits<double>::infinity();
  ArgMax(
      p, input, output, initial, [](T v) { return Widen(v); },
      [nan_mode](double value, double max_value) {
        return ApplyMaxFp(value, max_value, nan_mode);
      });
}

}  // namespace

void ArgMaxInt8(const ReduceParams& p, const int8_t* input, int32_t* output) {
  ArgMaxInt(p, input, output);
}

void ArgMaxInt16(const ReduceParams& p, const int16_t* input, int32_t* output) {
  ArgMaxInt(p, input, output);
}

void ArgMaxFp32(const ReduceParams& p, const float* input, int32_t* output, NanMode nan_mode) {
  ArgMaxFloat(p, input, output, nan_mode);
}

void ArgMaxFp16(const ReduceParams& p, const Fp16* input, int32_t* output, NanMode nan_mode) {
  ArgMaxFloat(p, input, output, nan_mode);
}

void ArgMaxBf16(const ReduceParams& p, const Bf16* input, int32_t* output, NanMode nan_mode) {
  ArgMaxFloat(p, input, output, nan_mode);
}

void ArgMaxFp8E4M3(const ReduceParams& p, const Fp8E4M3* input, int32_t* output, NanMode nan_mode) {
  ArgMaxFloat(p, input, output, nan_mode);
}

void ArgMaxFp8E5M2(const ReduceParams& p, const Fp8E5M2* input, int32_t* output, NanMode nan_mode) {
  ArgMaxFloat(p, input, output, nan_mode);
}

}  // namespace inferd::cpu::kernels
