// The narrow floating-point element types of TOSA 1.0 (FP16, BF16, FP8E4M3, FP8E5M2) as kernel
// storage types, and the one correctly rounded conversion every FP kernel ends with: an exact (or
// fp64) value rounded to nearest-even into float, Fp16, Bf16 or an FP8. Header-only, freestanding.
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

// OCP FP8 E4M3 ("e4m3fn"): 1 sign, 4 exponent (bias 7), 3 mantissa bits; no infinities, the
// all-ones exponent is a normal binade except S.1111.111, the only NaN. Largest finite: 448.
struct Fp8E4M3 {
  uint8_t bits = 0;
};

// OCP FP8 E5M2: 1 sign, 5 exponent (bias 15), 2 mantissa bits, IEEE layout (infinities, NaNs).
struct Fp8E5M2 {
  uint8_t bits = 0;
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

// FP8E4M3 from an fp64 value, rounded to nearest even; a result past 448 and NaN give the NaN
// code of the value's sign, since E4M3 has no infinity to overflow to.
inline uint8_t EncodeE4M3(double value) {
  const uint8_t sign = std::signbit(value) ? 0x80 : 0x00;
  const double magnitude = std::fabs(value);
  if (std::isnan(value) || std::isinf(magnitude)) return sign | 0x7f;
  int exponent;
  std::frexp(magnitude, &exponent);
  --exponent;  // 2^exponent <= magnitude < 2^(exponent+1)
  if (magnitude == 0.0 || exponent < -6) {
    // Subnormal quantum 2^-9; 8 units is the smallest normal, whose code is also 8.
    return sign | static_cast<uint8_t>(std::nearbyint(std::ldexp(magnitude, 9)));
  }
  auto units = static_cast<uint32_t>(std::nearbyint(std::ldexp(magnitude, 3 - exponent)));
  if (units == 16) {  // rounded up into the next binade
    units = 8;
    ++exponent;
  }
  const uint32_t code = (static_cast<uint32_t>(exponent + 7) << 3) | (units - 8);
  if (exponent + 7 > 15 || code > 0x7e) return sign | 0x7f;
  return sign | static_cast<uint8_t>(code);
}

inline double DecodeE4M3(uint8_t bits) {
  if ((bits & 0x7f) == 0x7f) return NAN;
  const uint8_t magnitude = bits & 0x7f;
  double value;
  if ((magnitude >> 3) == 0) {
    value = std::ldexp(static_cast<double>(magnitude & 7), -9);
  } else {
    value = std::ldexp(static_cast<double>((magnitude & 7) | 8), (magnitude >> 3) - 10);
  }
  return (bits & 0x80) ? -value : value;
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

inline double Widen(Fp8E4M3 v) { return float_format_internal::DecodeE4M3(v.bits); }
inline double Widen(Fp8E5M2 v) { return float_format_internal::Decode(v.bits, 5, 2); }

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

template <>
inline Fp8E4M3 Narrow<Fp8E4M3>(double v) {
  return Fp8E4M3{float_format_internal::EncodeE4M3(v)};
}

template <>
inline Fp8E5M2 Narrow<Fp8E5M2>(double v) {
  return Fp8E5M2{static_cast<uint8_t>(float_format_internal::Encode(v, 5, 2))};
}

template <typename T>
inline constexpr bool kIsFloat = false;
template <>
inline constexpr bool kIsFloat<float> = true;
template <>
inline constexpr bool kIsFloat<Fp16> = true;
template <>
inline constexpr bool kIsFloat<Bf16> = true;
template <>
inline constexpr bool kIsFloat<Fp8E4M3> = true;
template <>
inline constexpr bool kIsFloat<Fp8E5M2> = true;

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_FLOAT_FORMATS_H_
