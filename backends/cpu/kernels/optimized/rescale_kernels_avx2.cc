// RESCALE spans for x86-64 AVX2: eight int32 lanes, each 64-bit product formed by vpmuldq on the
// even and the odd lanes, rounded and shifted exactly as apply_scale_32 / apply_scale_16 do. Every
// function carries a target attribute, so the file builds with the project's baseline flags.
#include "backends/cpu/kernels/optimized/rescale_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#define INFERD_AVX2 __attribute__((target("avx2")))

namespace inferd::cpu::kernels::optimized {
namespace {

template <typename T>
INFERD_AVX2 inline __m256i Load8(const T* p, bool is_unsigned) {
  if constexpr (sizeof(T) == 1) {
    const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    return is_unsigned ? _mm256_cvtepu8_epi32(v) : _mm256_cvtepi8_epi32(v);
  } else if constexpr (sizeof(T) == 2) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return is_unsigned ? _mm256_cvtepu16_epi32(v) : _mm256_cvtepi16_epi32(v);
  } else {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
}

// Stores eight int32 lanes already clipped to the output range, so the saturating packs are exact.
template <typename T>
INFERD_AVX2 inline void Store8(T* p, __m256i v, bool is_unsigned) {
  if constexpr (sizeof(T) == 4) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  } else {
    const __m128i lo = _mm256_castsi256_si128(v);
    const __m128i hi = _mm256_extracti128_si256(v, 1);
    if constexpr (sizeof(T) == 2) {
      const __m128i packed = is_unsigned ? _mm_packus_epi32(lo, hi) : _mm_packs_epi32(lo, hi);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), packed);
    } else {
      const __m128i words = _mm_packs_epi32(lo, hi);  // |values| <= 255 fit int16
      const __m128i bytes =
          is_unsigned ? _mm_packus_epi16(words, words) : _mm_packs_epi16(words, words);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(p), bytes);
    }
  }
}

// floor((product + round) / 2^shift) for the 64-bit lanes `even` (lanes 0,2,4,6 of the int32
// vectors) and `odd`, returned as the low 32 bits of each result in int32 lanes 0..7 (the cast
// apply_scale_32 ends with). For shift >= 32 the high dword, shifted arithmetically by shift - 32,
// is the floor; for shift < 32 the low dword of a logical shift equals that of the arithmetic one.
INFERD_AVX2 inline __m256i ShiftRound(__m256i even, __m256i odd, __m256i shift) {
  const __m256i low_mask = _mm256_set1_epi64x(0xffffffff);
  const __m256i shift_even = _mm256_and_si256(shift, low_mask);
  const __m256i shift_odd = _mm256_srli_epi64(shift, 32);
  const __m256i lo =
      _mm256_blend_epi32(_mm256_srlv_epi64(even, shift_even),
                         _mm256_slli_epi64(_mm256_srlv_epi64(odd, shift_odd), 32), 0xaa);
  const __m256i hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xaa);
  const __m256i hi_shifted = _mm256_srav_epi32(hi, _mm256_sub_epi32(shift, _mm256_set1_epi32(32)));
  return _mm256_blendv_epi8(lo, hi_shifted, _mm256_cmpgt_epi32(shift, _mm256_set1_epi32(31)));
}

// Lanes of the 64-bit `t` whose arithmetic shift by `shift` leaves int32 (apply_scale_16's
// REQUIRE): t >> (shift + 31) must be 0 or -1.
INFERD_AVX2 inline __m256i BeyondInt32(__m256i t, __m256i shift64) {
  const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), t);
  const __m256i magnitude = _mm256_xor_si256(t, sign);
  const __m256i top =
      _mm256_srlv_epi64(magnitude, _mm256_add_epi64(shift64, _mm256_set1_epi64x(31)));
  return _mm256_xor_si256(_mm256_cmpeq_epi64(top, _mm256_setzero_si256()), _mm256_set1_epi64x(-1));
}

// What every span broadcasts from its parameters (the multiplier: its first, the only one of a
// span whose parameters do not advance with the elements).
struct SpanVectors {
  __m256i input_zp, output_zp, out_min, out_max, multiplier;
};

INFERD_AVX2 inline SpanVectors Broadcast(const RescaleSpanParams& p) {
  return {_mm256_set1_epi32(p.input_zp), _mm256_set1_epi32(p.output_zp),
          _mm256_set1_epi32(p.out_min), _mm256_set1_epi32(p.out_max),
          _mm256_set1_epi32(p.scale32 ? p.multiplier32[0] : p.multiplier16[0])};
}

// The span when every shift is >= 32: |value * multiplier| < 2^62, so value is always within
// apply_scale_32's range, the result fits 31 bits and adding the zero point cannot overflow; the
// result is the high dword of the rounded product shifted by shift - 32.
template <typename InT, typename OutT>
INFERD_AVX2 void WideShiftSpan(const RescaleSpanParams& p, const InT* in, OutT* out,
                               int64_t count) {
  const auto [input_zp, output_zp, out_min, out_max, first_multiplier] = Broadcast(p);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i one64 = _mm256_set1_epi64x(1);
  const __m256i low_mask = _mm256_set1_epi64x(0xffffffff);
  const __m256i thirty_two = _mm256_set1_epi32(32);
  const __m256i nudge_magnitude = _mm256_set1_epi32(1 << 30);
  const bool store_unsigned = p.out_min >= 0 && sizeof(OutT) < 4;
  __m256i multiplier = first_multiplier;
  __m256i shift = _mm256_set1_epi32(p.shift[0]);
  __m256i round_even = _mm256_set1_epi64x(int64_t{1} << (p.shift[0] - 1));
  __m256i round_odd = round_even;
  __m256i shift_high = _mm256_sub_epi32(shift, thirty_two);
  for (int64_t i = 0; i < count; i += kRescaleBlock) {
    if (p.per_element) {
      multiplier = p.scale32 ? Load8(p.multiplier32 + i, false) : Load8(p.multiplier16 + i, false);
      shift = Load8(p.shift + i, false);
      const __m256i shift_minus_one = _mm256_sub_epi32(shift, one);
      round_even = _mm256_sllv_epi64(one64, _mm256_and_si256(shift_minus_one, low_mask));
      round_odd = _mm256_sllv_epi64(one64, _mm256_srli_epi64(shift_minus_one, 32));
      shift_high = _mm256_sub_epi32(shift, thirty_two);
    }
    const __m256i value = _mm256_sub_epi32(Load8(in + i, p.input_unsigned), input_zp);
    __m256i even = _mm256_add_epi64(_mm256_mul_epi32(value, multiplier), round_even);
    __m256i odd = _mm256_add_epi64(
        _mm256_mul_epi32(_mm256_srli_epi64(value, 32), _mm256_srli_epi64(multiplier, 32)),
        round_odd);
    if (p.double_round) {
      const __m256i sign = _mm256_srai_epi32(value, 31);
      const __m256i nudge = _mm256_sub_epi32(_mm256_xor_si256(nudge_magnitude, sign), sign);
      even = _mm256_add_epi64(even, _mm256_mul_epi32(nudge, one));
      odd = _mm256_add_epi64(odd, _mm256_mul_epi32(_mm256_srli_epi64(nudge, 32), one));
    }
    const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xaa);
    const __m256i sum = _mm256_add_epi32(_mm256_srav_epi32(high, shift_high), output_zp);
    Store8(out + i, _mm256_min_epi32(_mm256_max_epi32(sum, out_min), out_max), store_unsigned);
  }
}

// The span when every shift is >= 33. With Q = value * multiplier (+-2^30 when double rounding)
// and h = floor(Q / 2^32), the high dword of Q:
//   floor((Q + 2^(shift-1)) / 2^shift) = floor((h + 2^(shift-33)) / 2^(shift-32)),
// because the rounding term is a whole multiple of 2^32 and Q's low dword, below 2^32, cannot
// carry past a multiple of 2^shift. |h| <= 2^30 and 2^(shift-33) <= 2^29, so the sum and its
// arithmetic shift are int32 lane operations: no 64-bit rounding constants per channel. The
// double-rounding nudge goes by the product's sign, which is the value's (multipliers are >= 0)
// except for a zero product, where h is 0 or -1 and both give 0.
template <typename InT, typename OutT>
INFERD_AVX2 void NarrowRoundingSpan(const RescaleSpanParams& p, const InT* in, OutT* out,
                                    int64_t count) {
  const auto [input_zp, output_zp, out_min, out_max, first_multiplier] = Broadcast(p);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i thirty_two = _mm256_set1_epi32(32);
  const __m256i thirty_three = _mm256_set1_epi32(33);
  const __m256d nudge_up = _mm256_castsi256_pd(_mm256_set1_epi64x(int64_t{1} << 30));
  const __m256d nudge_down = _mm256_castsi256_pd(_mm256_set1_epi64x(-(int64_t{1} << 30)));
  const bool store_unsigned = p.out_min >= 0 && sizeof(OutT) < 4;
  // In locals: the int8 stores may alias `p` as far as the compiler knows, which would reload
  // every field on every step.
  const bool per_element = p.per_element, scale32 = p.scale32, double_round = p.double_round,
             input_unsigned = p.input_unsigned;
  const int32_t* const multiplier32 = p.multiplier32;
  const int16_t* const multiplier16 = p.multiplier16;
  const int8_t* const shifts = p.shift;
  __m256i multiplier = first_multiplier;
  __m256i shift_high = _mm256_set1_epi32(shifts[0] - 32);
  __m256i round = _mm256_set1_epi32(1 << (shifts[0] - 33));
  for (int64_t i = 0; i < count; i += kRescaleBlock) {
    if (per_element) {
      multiplier = scale32 ? Load8(multiplier32 + i, false) : Load8(multiplier16 + i, false);
      const __m256i shift = Load8(shifts + i, false);
      shift_high = _mm256_sub_epi32(shift, thirty_two);
      round = _mm256_sllv_epi32(one, _mm256_sub_epi32(shift, thirty_three));
    }
    const __m256i value = _mm256_sub_epi32(Load8(in + i, input_unsigned), input_zp);
    __m256i even = _mm256_mul_epi32(value, multiplier);
    __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(value, 32), _mm256_srli_epi64(multiplier, 32));
    if (double_round) {
      even = _mm256_add_epi64(even, _mm256_castpd_si256(_mm256_blendv_pd(
                                        nudge_up, nudge_down, _mm256_castsi256_pd(even))));
      odd = _mm256_add_epi64(odd, _mm256_castpd_si256(_mm256_blendv_pd(nudge_up, nudge_down,
                                                                       _mm256_castsi256_pd(odd))));
    }
    const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xaa);
    const __m256i scaled = _mm256_srav_epi32(_mm256_add_epi32(high, round), shift_high);
    const __m256i sum = _mm256_add_epi32(scaled, output_zp);
    Store8(out + i, _mm256_min_epi32(_mm256_max_epi32(sum, out_min), out_max), store_unsigned);
  }
}

template <typename InT, typename OutT>
INFERD_AVX2 bool Span(const RescaleSpanParams& p, const void* input, void* output, int64_t count) {
  if (p.shifts_above_32) {
    NarrowRoundingSpan(p, static_cast<const InT*>(input), static_cast<OutT*>(output), count);
    return false;
  }
  if (p.wide_shifts) {
    WideShiftSpan(p, static_cast<const InT*>(input), static_cast<OutT*>(output), count);
    return false;
  }
  const auto* in = static_cast<const InT*>(input);
  auto* out = static_cast<OutT*>(output);
  const auto [input_zp, output_zp, out_min, out_max, first_multiplier] = Broadcast(p);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i one64 = _mm256_set1_epi64x(1);
  const __m256i low_mask = _mm256_set1_epi64x(0xffffffff);
  const __m256i all = _mm256_set1_epi32(-1);
  __m256i multiplier = first_multiplier;
  __m256i shift = _mm256_set1_epi32(p.shift[0]);
  __m256i failed = _mm256_setzero_si256();
  for (int64_t i = 0; i < count; i += kRescaleBlock) {
    if (p.per_element) {
      multiplier = p.scale32 ? Load8(p.multiplier32 + i, false) : Load8(p.multiplier16 + i, false);
      shift = Load8(p.shift + i, false);
    }
    const __m256i value = _mm256_sub_epi32(Load8(in + i, p.input_unsigned), input_zp);
    const __m256i shift_minus_one = _mm256_sub_epi32(shift, one);
    if (p.scale32) {
      // REQUIRE -2^(shift-1) <= value < 2^(shift-1): value >> (shift-1) is 0 or -1.
      const __m256i top = _mm256_srav_epi32(value, shift_minus_one);
      const __m256i ok = _mm256_or_si256(_mm256_cmpeq_epi32(top, _mm256_setzero_si256()),
                                         _mm256_cmpeq_epi32(top, all));
      failed = _mm256_or_si256(failed, _mm256_xor_si256(ok, all));
    }
    __m256i even = _mm256_mul_epi32(value, multiplier);
    __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(value, 32), _mm256_srli_epi64(multiplier, 32));
    const __m256i sm1_even = _mm256_and_si256(shift_minus_one, low_mask);
    const __m256i sm1_odd = _mm256_srli_epi64(shift_minus_one, 32);
    even = _mm256_add_epi64(even, _mm256_sllv_epi64(one64, sm1_even));
    odd = _mm256_add_epi64(odd, _mm256_sllv_epi64(one64, sm1_odd));
    if (p.double_round) {
      // +-2^30 (by the value's sign) where shift > 31; sign-extended to 64 bits by vpmuldq by 1.
      const __m256i sign = _mm256_srai_epi32(value, 31);
      __m256i nudge = _mm256_sub_epi32(_mm256_xor_si256(_mm256_set1_epi32(1 << 30), sign), sign);
      nudge = _mm256_and_si256(nudge, _mm256_cmpgt_epi32(shift, _mm256_set1_epi32(31)));
      even = _mm256_add_epi64(even, _mm256_mul_epi32(nudge, one));
      odd = _mm256_add_epi64(odd, _mm256_mul_epi32(_mm256_srli_epi64(nudge, 32), one));
    }
    if (!p.scale32) {
      failed = _mm256_or_si256(failed, BeyondInt32(even, _mm256_and_si256(shift, low_mask)));
      failed = _mm256_or_si256(failed, BeyondInt32(odd, _mm256_srli_epi64(shift, 32)));
    }
    const __m256i scaled = ShiftRound(even, odd, shift);
    const __m256i sum = _mm256_add_epi32(scaled, output_zp);
    // Signed overflow of the addition: both operands differ in sign from the sum.
    failed = _mm256_or_si256(
        failed, _mm256_and_si256(_mm256_xor_si256(sum, scaled), _mm256_xor_si256(sum, output_zp)));
    const __m256i clipped = _mm256_min_epi32(_mm256_max_epi32(sum, out_min), out_max);
    Store8(out + i, clipped, p.out_min >= 0 && sizeof(OutT) < 4);
  }
  // The failure lanes hold all-ones masks or sign bits; either way the sign bit says it.
  return _mm256_movemask_ps(_mm256_castsi256_ps(failed)) != 0;
}

}  // namespace

const RescaleKernels* Avx2RescaleKernels() {
  static const RescaleKernels table = {
      "avx2",
      {{Span<int8_t, int8_t>, Span<int8_t, int16_t>, Span<int8_t, int32_t>},
       {Span<int16_t, int8_t>, Span<int16_t, int16_t>, Span<int16_t, int32_t>},
       {Span<int32_t, int8_t>, Span<int32_t, int16_t>, Span<int32_t, int32_t>}}};
  return &table;
}

}  // namespace inferd::cpu::kernels::optimized
#endif  // __x86_64__
