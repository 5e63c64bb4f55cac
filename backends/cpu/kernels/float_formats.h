// The 16-bit floating-point element types of TOSA 1.0 (FP16, BF16) as kernel storage types, and
// the one correctly rounded conversion every FP kernel ends with: an exact (or fp64) value
// rounded to nearest-even into float, Fp16 or Bf16. Header-only, freestanding.
#ifndef INFERD_BACKENDS_CPU_KERNELS_FLOAT_FORMATS_H_
#define INFERD_BACKENDS_CPU_KERNELS_FLOAT_FORMATS_H_

#include <cmath>
#include <cstdint>

namespace inferd::cpu::kernels {

// IEEE binary16: 1 sign, 5 exponent, 10 mantissa bits.
struct Fp16 {
  uint16_t bits = 0;
};

// bfloat16: 1 sign, 8 exponent, 7 mantissa bits (the top half of an fp32).
struct Bf16 {
  uint16_t bits = 0;
};

namespace float_format_internal {

// Value of a binary floating-point encoding with `exponent_bits` / `mantissa_bits` (IEEE layout,
// all-ones exponent = Inf/NaN).
inline double Decode(uint32_t bits, int exponent_bits, int mantissa_bits) {
  const uint32_t mantissa = bits & ((1u << mantissa_bits) - 1);
  const uint32_t exponent = (bits >> mantissa_bits) & ((1u << exponent_bits) - 1);
  const bool negative = (bits >> (mantissa_bits + exponent_bits)) & 1;
  const int bias = (1 << (exponent_bits - 1)) - 1;
  double value;
  if (exponent == (1u << exponent_bits) - 1) {
    value = mantissa == 0 ? INFINITY : NAN;
  } else if (exponent == 0) {
    value = std::ldexp(static_cast<double>(mantissa), 1 - bias - mantissa_bits);
  } else {
    value = std::ldexp(static_cast<double>(mantissa | (1u << mantissa_bits)),
                       static_cast<int>(exponent) - bias - mantissa_bits);
  }
  return negative ? -value : value;
}

// Rounds `value` to nearest, ties to even, into the encoding; out-of-range values become
// infinities, NaN becomes the quiet NaN of the sign of `value`. Exact whenever `value` is the
// exact result (fp64 holds every fp32/fp16/bf16 value and int32 exactly) or a correctly rounded
// fp64 result of +, -, *, / or sqrt of narrower operands (fp64 has more than 2p+2 bits).
inline uint32_t Encode(double value, int exponent_bits, int mantissa_bits) {
  const uint32_t sign = std::signbit(value) ? 1u << (exponent_bits + mantissa_bits) : 0u;
  const uint32_t exponent_ones = ((1u << exponent_bits) - 1) << mantissa_bits;
  if (std::isnan(value)) return sign | exponent_ones | (1u << (mantissa_bits - 1));
  const double magnitude = std::fabs(value);
  if (std::isinf(magnitude)) return sign | exponent_ones;
  if (magnitude == 0.0) return sign;
  const int bias = (1 << (exponent_bits - 1)) - 1;
  const int min_exponent = 1 - bias;  // exponent of the smallest normal
  int exponent;
  std::frexp(magnitude, &exponent);  // magnitude = f * 2^exponent, 0.5 <= f < 1
  --exponent;                        // now 2^exponent <= magnitude < 2^(exponent+1)
  if (exponent < min_exponent) exponent = min_exponent;  // subnormal: fixed quantum
  const int quantum_exponent = exponent - mantissa_bits;
  // magnitude / quantum < 2^(mantissa_bits+1): exact in fp64; nearbyint rounds ties to even in
  // the default rounding mode.
  const double units = std::nearbyint(std::ldexp(magnitude, -quantum_exponent));
  const auto scaled = static_cast<uint64_t>(units);
  uint64_t encoded;
  if (exponent == min_exponent && scaled < (uint64_t{1} << mantissa_bits)) {
    encoded = scaled;  // subnormal (or zero after rounding)
  } else {
    // scaled is in [2^m, 2^(m+1)]; the top value carries into the exponent field.
    encoded = (static_cast<uint64_t>(exponent + bias) << mantissa_bits) +
              (scaled - (uint64_t{1} << mantissa_bits));
  }
  if (encoded >= exponent_ones) return sign | exponent_ones;  // overflow to infinity
  return sign | static_cast<uint32_t>(encoded);
}

}  // namespace float_format_internal

// Exact widening to fp64.
inline double Widen(float v) { return v; }
inline double Widen(Fp16 v) { return float_format_internal::Decode(v.bits, 5, 10); }
inline double Widen(Bf16 v) {
  const uint32_t bits = uint32_t{v.bits} << 16;
  float f;
  __builtin_memcpy(&f, &bits, sizeof f);  // keeps <cstring> out of freestanding builds
  return f;
}

// Round-to-nearest-even narrowing from fp64.
template <typename T>
T Narrow(double v);

template <>
inline float Narrow<float>(double v) {
  return static_cast<float>(v);
}

template <>
inline Fp16 Narrow<Fp16>(double v) {
  return Fp16{static_cast<uint16_t>(float_format_internal::Encode(v, 5, 10))};
}

template <>
inline Bf16 Narrow<Bf16>(double v) {
  return Bf16{static_cast<uint16_t>(float_format_internal::Encode(v, 8, 7))};
}

template <typename T>
inline constexpr bool kIsFloat = false;
template <>
inline constexpr bool kIsFloat<float> = true;
template <>
inline constexpr bool kIsFloat<Fp16> = true;
template <>
inline constexpr bool kIsFloat<Bf16> = true;

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_FLOAT_FORMATS_H_
