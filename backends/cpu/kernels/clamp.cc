#include "backends/cpu/kernels/clamp.h"

#include <cstdint>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

template <typename T>
void ClampInteger(const T* input, T* output, int64_t count, T min_val, T max_val) {
  for (int64_t i = 0; i < count; ++i) {
    const T value = input[i];
    output[i] = value < min_val ? min_val : (value > max_val ? max_val : value);
  }
}

template <typename T>
void ClampFloat16(const T* input, T* output, int64_t count, T min_val, T max_val,
                  NanMode nan_mode) {
  const auto lo = static_cast<float>(Widen(min_val));
  const auto hi = static_cast<float>(Widen(max_val));
  for (int64_t i = 0; i < count; ++i) {
    const float value = ApplyMaxFp(static_cast<float>(Widen(input[i])), lo, nan_mode);
    output[i] = Narrow<T>(ApplyMinFp(value, hi, nan_mode));
  }
}

}  // namespace

void ClampInt8(const int8_t* input, int8_t* output, int64_t count, int8_t min_val, int8_t max_val) {
  ClampInteger(input, output, count, min_val, max_val);
}

void ClampInt16(const int16_t* input, int16_t* output, int64_t count, int16_t min_val,
                int16_t max_val) {
  ClampInteger(input, output, count, min_val, max_val);
}

void ClampFp32(const float* input, float* output, int64_t count, float min_val, float max_val,
               NanMode nan_mode) {
  for (int64_t i = 0; i < count; ++i) {
    const float value = ApplyMaxFp(input[i], min_val, nan_mode);
    output[i] = ApplyMinFp(value, max_val, nan_mode);
  }
}

void ClampFp16(const Fp16* input, Fp16* output, int64_t count, Fp16 min_val, Fp16 max_val,
               NanMode nan_mode) {
  ClampFloat16(input, output, count, min_val, max_val, nan_mode);
}

void ClampBf16(const Bf16* input, Bf16* output, int64_t count, Bf16 min_val, Bf16 max_val,
               NanMode nan_mode) {
  ClampFloat16(input, output, count, min_val, max_val, nan_mode);
}

}  // namespace inferd::cpu::kernels
