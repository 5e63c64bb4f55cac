// RESCALE spans for x86-64 AVX-512F: sixteen lanes a step for spans whose shifts are all >= 32 (the
// requantisation of convolution accumulators, the hot case), with the saturating down-conversions
// (vpmovsdb and kin) storing the already clipped results exactly. Other spans, and a trailing half
// block, go to the AVX2 spans. Target attributes keep the project's baseline flags.
#include "backends/cpu/kernels/optimized/rescale_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

#define INFERD_AVX512 __attribute__((target("avx2,avx512f")))

namespace inferd::cpu::kernels::optimized {
namespace {

template <typename T>
INFERD_AVX512 inline __m512i Load16(const T* p, bool is_unsigned) {
  if constexpr (sizeof(T) == 1) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return is_unsigned ? _mm512_cvtepu8_epi32(v) : _mm512_cvtepi8_epi32(v);
  } else if constexpr (sizeof(T) == 2) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return is_unsigned ? _mm512_cvtepu16_epi32(v) : _mm512_cvtepi16_epi32(v);
  } else {
    return _mm512_loadu_si512(p);
  }
}

// Sixteen int32 lanes already clipped to the output range: the saturating conversions are exact.
template <typename T>
INFERD_AVX512 inline void Store16(T* p, __m512i v, bool is_unsigned) {
  if constexpr (sizeof(T) == 4) {
    _mm512_storeu_si512(p, v);
  } else if constexpr (sizeof(T) == 2) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                        is_unsigned ? _mm512_cvtusepi32_epi16(v) : _mm512_cvtsepi32_epi16(v));
  } else {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                     is_unsigned ? _mm512_cvtusepi32_epi8(v) : _mm512_cvtsepi32_epi8(v));
  }
}

template <typename InT, typename OutT>
INFERD_AVX512 bool Span(const RescaleSpanParams& p, const void* input, void* output,
                        int64_t count) {
  const RescaleSpanFn avx2 =
      Avx2RescaleKernels()->span[RescaleTypeIndex<InT>()][RescaleTypeIndex<OutT>()];
  if (!p.wide_shifts) return avx2(p, input, output, count);
  const auto* in = static_cast<const InT*>(input);
  auto* out = static_cast<OutT*>(output);
  const __m512i input_zp = _mm512_set1_epi32(p.input_zp);
  const __m512i output_zp = _mm512_set1_epi32(p.output_zp);
  const __m512i out_min = _mm512_set1_epi32(p.out_min);
  const __m512i out_max = _mm512_set1_epi32(p.out_max);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i one64 = _mm512_set1_epi64(1);
  const __m512i low_mask = _mm512_set1_epi64(0xffffffff);
  const __m512i thirty_two = _mm512_set1_epi32(32);
  const __m512i nudge_magnitude = _mm512_set1_epi32(1 << 30);
  const bool store_unsigned = p.out_min >= 0 && sizeof(OutT) < 4;
  __m512i multiplier = _mm512_set1_epi32(p.scale32 ? p.multiplier32[0] : p.multiplier16[0]);
  __m512i shift_high = _mm512_set1_epi32(p.shift[0] - 32);
  __m512i round_even = _mm512_set1_epi64(int64_t{1} << (p.shift[0] - 1));
  __m512i round_odd = round_even;
  const int64_t whole = count - count % 16;
  for (int64_t i = 0; i < whole; i += 16) {
    if (p.per_element) {
      multiplier =
          p.scale32 ? Load16(p.multiplier32 + i, false) : Load16(p.multiplier16 + i, false);
      const __m512i shift = Load16(p.shift + i, false);
      const __m512i shift_minus_one = _mm512_sub_epi32(shift, one);
      round_even = _mm512_sllv_epi64(one64, _mm512_and_si512(shift_minus_one, low_mask));
      round_odd = _mm512_sllv_epi64(one64, _mm512_srli_epi64(shift_minus_one, 32));
      shift_high = _mm512_sub_epi32(shift, thirty_two);
    }
    const __m512i value = _mm512_sub_epi32(Load16(in + i, p.input_unsigned), input_zp);
    __m512i even = _mm512_add_epi64(_mm512_mul_epi32(value, multiplier), round_even);
    __m512i odd = _mm512_add_epi64(
        _mm512_mul_epi32(_mm512_srli_epi64(value, 32), _mm512_srli_epi64(multiplier, 32)),
        round_odd);
    if (p.double_round) {
      const __m512i sign = _mm512_srai_epi32(value, 31);
      const __m512i nudge = _mm512_sub_epi32(_mm512_xor_si512(nudge_magnitude, sign), sign);
      even = _mm512_add_epi64(even, _mm512_mul_epi32(nudge, one));
      odd = _mm512_add_epi64(odd, _mm512_mul_epi32(_mm512_srli_epi64(nudge, 32), one));
    }
    const __m512i high = _mm512_mask_blend_epi32(0xaaaa, _mm512_srli_epi64(even, 32), odd);
    const __m512i sum = _mm512_add_epi32(_mm512_srav_epi32(high, shift_high), output_zp);
    Store16(out + i, _mm512_min_epi32(_mm512_max_epi32(sum, out_min), out_max), store_unsigned);
  }
  if (whole == count) return false;
  RescaleSpanParams rest = p;
  if (p.per_element) {
    if (p.scale32) {
      rest.multiplier32 += whole;
    } else {
      rest.multiplier16 += whole;
    }
    rest.shift += whole;
  }
  return avx2(rest, in + whole, out + whole, count - whole);
}

}  // namespace

const RescaleKernels* Avx512RescaleKernels() {
  static const RescaleKernels table = {
      "avx512",
      {{Span<int8_t, int8_t>, Span<int8_t, int16_t>, Span<int8_t, int32_t>},
       {Span<int16_t, int8_t>, Span<int16_t, int16_t>, Span<int16_t, int32_t>},
       {Span<int32_t, int8_t>, Span<int32_t, int16_t>, Span<int32_t, int32_t>}}};
  return &table;
}

}  // namespace inferd::cpu::kernels::optimized
#endif  // __x86_64__
