// Integer and floating-point helpers of the TOSA 1.0 specification (scaling, clipping, NaN-aware
// max/min, the 16-bit table lookup) that several reference kernels share. Header-only,
// freestanding.
//
// Helpers whose specification version has REQUIREs take a `bool& unpredictable` that they set
// (never clear) when a REQUIRE fails, so a kernel can OR the flag across a whole tensor and check
// it once.
#ifndef INFERD_BACKENDS_CPU_KERNELS_TOSA_ARITH_H_
#define INFERD_BACKENDS_CPU_KERNELS_TOSA_ARITH_H_

#include <cmath>
#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

inline constexpr int64_t kInt48Min = -(int64_t{1} << 47);
inline constexpr int64_t kInt48Max = (int64_t{1} << 47) - 1;

// Number of leading zero bits of a 32-bit value; 32 for zero.
constexpr int32_t CountLeadingZeros32(uint32_t value) {
  if (value == 0) return 32;
  int32_t count = 0;
  for (uint32_t mask = 0x80000000u; (value & mask) == 0; mask >>= 1) ++count;
  return count;
}

constexpr int64_t ClipS(int64_t value, int64_t min_value, int64_t max_value) {
  return value < min_value ? min_value : (value > max_value ? max_value : value);
}

constexpr bool InRange(int64_t value, int64_t min_value, int64_t max_value) {
  return value >= min_value && value <= max_value;
}

// apply_scale_32: value * multiplier / 2^shift, rounded half up; with double_round and shift > 31
// the rounding constant is nudged by 2^30 away from zero, which reproduces frameworks that round
// twice (once to 31 fractional bits, then again).
// REQUIREs: multiplier >= 0, 2 <= shift <= 62, -2^(shift-1) <= value < 2^(shift-1).
inline int32_t ApplyScale32(int32_t value, int32_t multiplier, int32_t shift, bool double_round,
                            bool& unpredictable) {
  if (multiplier < 0 || shift < 2 || shift > 62) {
    unpredictable = true;
    return 0;
  }
  const int64_t half = int64_t{1} << (shift - 1);
  if (!(value >= -half && value < half)) unpredictable = true;
  int64_t round = half;
  if (double_round && shift > 31) {
    round += value >= 0 ? (int64_t{1} << 30) : -(int64_t{1} << 30);
  }
  // |value * multiplier| < 2^62 and round <= 2^61 + 2^30, so the sum cannot overflow.
  int64_t result = static_cast<int64_t>(value) * multiplier + round;
  result >>= shift;  // arithmetic shift (C++20 defines >> of negative values)
  return static_cast<int32_t>(result);
}

// apply_scale_16: a 48-bit value times a 16-bit multiplier / 2^shift, rounded half up.
// REQUIREs: multiplier >= 0, 2 <= shift <= 62, result within int32.
inline int32_t ApplyScale16(int64_t value, int16_t multiplier, int32_t shift, bool& unpredictable) {
  if (multiplier < 0 || shift < 2 || shift > 62) {
    unpredictable = true;
    return 0;
  }
  const int64_t round = int64_t{1} << (shift - 1);
  // A 48-bit value times a 15-bit multiplier stays below 2^62.
  int64_t result = value * multiplier + round;
  result >>= shift;
  if (!InRange(result, INT32_MIN, INT32_MAX)) unpredictable = true;
  return static_cast<int32_t>(result);
}

// scale_t of the specification.
struct ScaleFactor {
  int32_t multiplier;
  int32_t shift;
};

// reciprocal_scale: multiplier and shift that divide by `value` (> 0) through ApplyScale32.
constexpr ScaleFactor ReciprocalScale(uint32_t value) {
  // k is the smallest power of two with 2^k >= value.
  const int32_t k = 32 - CountLeadingZeros32(value - 1);
  const int64_t numerator = ((int64_t{1} << 30) + 1) << k;
  return ScaleFactor{static_cast<int32_t>(numerator / value), 30 + k};
}

// apply_max_s / apply_min_s for floating point, with the specification's exact comparisons (so
// for two zeros the first operand wins) and NaN handling.
template <typename FloatT>
inline FloatT ApplyMaxFp(FloatT a, FloatT b, NanMode nan_mode) {
  if (std::isnan(a) || std::isnan(b)) {
    if (nan_mode == NanMode::kPropagate) return static_cast<FloatT>(NAN);
    return std::isnan(a) ? b : a;
  }
  return a >= b ? a : b;
}

template <typename FloatT>
inline FloatT ApplyMinFp(FloatT a, FloatT b, NanMode nan_mode) {
  if (std::isnan(a) || std::isnan(b)) {
    if (nan_mode == NanMode::kPropagate) return static_cast<FloatT>(NAN);
    return std::isnan(a) ? b : a;
  }
  return a < b ? a : b;
}

// apply_lookup_s: interpolating lookup in a 513-entry int16 table; returns a 23-bit value
// (16 bits of table value, 7 bits of fraction).
// REQUIRE: the difference of neighbouring table entries used fits int16.
inline int32_t LookupInt16(const int16_t* table, int32_t value, bool& unpredictable) {
  const int32_t clipped = static_cast<int32_t>(ClipS(value, -32768, 32767));
  const int32_t index = (clipped + 32768) >> 7;
  const int32_t fraction = clipped & 0x7f;
  const int32_t base = table[index];
  const int32_t next = table[index + 1];
  const int32_t slope = next - base;
  if (!InRange(slope, INT16_MIN, INT16_MAX)) unpredictable = true;
  // base * 128 rather than base << 7: shifting a negative value left is fine in C++20, but the
  // multiply says what is meant.
  return base * 128 + slope * fraction;
}

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_TOSA_ARITH_H_
