// The narrow floats inferd stores as their bits (FP16, BF16, FP8 E4M3 and E5M2): exact widening to
// fp32, and rounding from fp32 to nearest, ties to even, with the CPU backend's special values
// (backends/cpu/kernels/float_formats.h): NaN becomes the quiet NaN of its sign, overflow an
// infinity (E4M3, which has none, its NaN code). Shaders compute in fp32 and round once at the
// store; for +, -, * and / of narrow operands that double rounding is exact (fp32 has more than
// 2p+2 bits of every narrow format), so those results equal the CPU's bit for bit.
//
// A shader takes a narrow type through LOAD_x / STORE_x defines naming these functions; without
// them the defaults are the type's own constructors (float(v), T(f)).

// 2^exponent for the normal fp32 exponents, built exactly (exp2 need not be exact).
float PowerOfTwo(int exponent) { return uintBitsToFloat(uint(exponent + 127) << 23); }

// The value of `bits` in an IEEE-layout format with `exponent_bits` and `mantissa_bits`.
float DecodeIeeeBits(uint bits, int exponent_bits, int mantissa_bits) {
  const uint mantissa = bits & ((1u << mantissa_bits) - 1u);
  const uint exponent = (bits >> mantissa_bits) & ((1u << exponent_bits) - 1u);
  const uint sign = (bits >> (exponent_bits + mantissa_bits)) & 1u;
  const int bias = (1 << (exponent_bits - 1)) - 1;
  float magnitude;
  if (exponent == (1u << exponent_bits) - 1u) {
    magnitude = uintBitsToFloat(mantissa == 0u ? 0x7F800000u : 0x7FC00000u);
  } else if (exponent == 0u) {
    magnitude = float(mantissa) * PowerOfTwo(1 - bias - mantissa_bits);
  } else {
    magnitude = uintBitsToFloat(((exponent + uint(127 - bias)) << 23) |
                                (mantissa << (23 - mantissa_bits)));
  }
  return sign != 0u ? -magnitude : magnitude;
}

// |value| (finite, not NaN) rounded to nearest even in a format with `mantissa_bits` and smallest
// normal exponent `min_exponent`: the encoding without sign, where a carry out of the mantissa
// runs into the exponent field and the biased exponent is `exponent + bias`. May exceed the
// format's range; the caller decides what overflow gives.
uint RoundMagnitude(float value, int mantissa_bits, int min_exponent, int bias) {
  const uint magnitude = floatBitsToUint(value) & 0x7FFFFFFFu;
  if (magnitude == 0u) return 0u;
  const int field = int(magnitude >> 23);
  // value = significand * 2^(exponent - 23); fp32 subnormals share the smallest normal's quantum.
  const int exponent = field == 0 ? -126 : field - 127;
  const uint significand = (magnitude & 0x7FFFFFu) | (field == 0 ? 0u : 0x800000u);
  const int target = max(exponent, min_exponent);
  const int shift = target - mantissa_bits - exponent + 23;  // >= 1: the narrow quantum is wider
  uint units = 0u;
  if (shift < 25) {
    units = significand >> shift;
    const uint remainder = significand & ((1u << shift) - 1u);
    const uint halfway = 1u << (shift - 1);
    if (remainder > halfway || (remainder == halfway && (units & 1u) != 0u)) ++units;
  }
  if (target == min_exponent && units < (1u << mantissa_bits)) return units;  // subnormal or 0
  return (uint(target + bias) << mantissa_bits) + (units - (1u << mantissa_bits));
}

// `value` in an IEEE-layout format (FP16, BF16, E5M2): overflow gives infinity.
uint EncodeIeeeBits(float value, int exponent_bits, int mantissa_bits) {
  const uint sign = (floatBitsToUint(value) >> 31) << (exponent_bits + mantissa_bits);
  const uint ones = ((1u << exponent_bits) - 1u) << mantissa_bits;
  if (isnan(value)) return sign | ones | (1u << (mantissa_bits - 1));
  if (isinf(value)) return sign | ones;
  const int bias = (1 << (exponent_bits - 1)) - 1;
  const uint encoded = RoundMagnitude(value, mantissa_bits, 1 - bias, bias);
  return sign | min(encoded, ones);
}

float Fp16ToFloat(uint16_t bits) { return DecodeIeeeBits(uint(bits), 5, 10); }
uint16_t FloatToFp16(float value) { return uint16_t(EncodeIeeeBits(value, 5, 10)); }

float Bf16ToFloat(uint16_t bits) { return uintBitsToFloat(uint(bits) << 16); }
uint16_t FloatToBf16(float value) { return uint16_t(EncodeIeeeBits(value, 8, 7)); }

float Fp8E5M2ToFloat(uint8_t bits) { return DecodeIeeeBits(uint(bits), 5, 2); }
uint8_t FloatToFp8E5M2(float value) { return uint8_t(EncodeIeeeBits(value, 5, 2)); }

// E4M3 ("e4m3fn"): no infinities, S.1111.111 the only NaN; the all-ones exponent is a binade.
// Both NaN codes widen to the positive quiet NaN, as on the CPU.
float Fp8E4M3ToFloat(uint8_t bits) {
  const uint magnitude = uint(bits) & 0x7Fu;
  if (magnitude == 0x7Fu) return uintBitsToFloat(0x7FC00000u);
  float value;
  if ((magnitude >> 3) == 0u) {
    value = float(magnitude & 7u) * PowerOfTwo(-9);
  } else {
    value = float((magnitude & 7u) | 8u) * PowerOfTwo(int(magnitude >> 3) - 10);
  }
  return (uint(bits) & 0x80u) != 0u ? -value : value;
}

uint8_t FloatToFp8E4M3(float value) {
  const uint sign = (floatBitsToUint(value) >> 31) << 7;
  if (isnan(value) || isinf(value)) return uint8_t(sign | 0x7Fu);
  const uint encoded = RoundMagnitude(value, 3, -6, 7);
  return uint8_t(sign | min(encoded, 0x7Fu));
}
