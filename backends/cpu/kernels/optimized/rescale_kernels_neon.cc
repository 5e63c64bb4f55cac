// RESCALE spans for aarch64 Advanced SIMD: widening 32x32->64 multiplies (smull), the rounding
// constant added in 64 bits and an arithmetic right shift (sshl by a negative count), exactly as
// apply_scale_32 / apply_scale_16 compute.
#include "backends/cpu/kernels/optimized/rescale_kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstdint>
#include <type_traits>

namespace inferd::cpu::kernels::optimized {
namespace {

template <typename T>
inline int32x4_t Load4(const T* p, bool is_unsigned) {
  int32_t lanes[4];
  for (int i = 0; i < 4; ++i) {
    if constexpr (sizeof(T) < 4) {
      using U = std::make_unsigned_t<T>;
      lanes[i] = is_unsigned ? static_cast<int32_t>(static_cast<U>(p[i])) : p[i];
    } else {
      lanes[i] = p[i];
    }
  }
  return vld1q_s32(lanes);
}

template <typename T>
inline void Store8(T* p, int32x4_t a, int32x4_t b, bool is_unsigned) {
  if constexpr (sizeof(T) == 4) {
    vst1q_s32(p, a);
    vst1q_s32(p + 4, b);
  } else if constexpr (sizeof(T) == 2) {
    if (is_unsigned) {
      vst1q_u16(reinterpret_cast<uint16_t*>(p), vcombine_u16(vqmovun_s32(a), vqmovun_s32(b)));
    } else {
      vst1q_s16(p, vcombine_s16(vqmovn_s32(a), vqmovn_s32(b)));
    }
  } else {
    const int16x8_t words = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));  // |values| <= 255
    if (is_unsigned) {
      vst1_u8(reinterpret_cast<uint8_t*>(p), vqmovun_s16(words));
    } else {
      vst1_s8(p, vqmovn_s16(words));
    }
  }
}

struct Lanes {
  int32x4_t out;
  uint32x4_t failed;
};

// Four lanes of apply_scale_32 / apply_scale_16, then + output_zp with its overflow check.
inline Lanes Scale4(const RescaleSpanParams& p, int32x4_t value, int32x4_t multiplier,
                    int32x4_t shift) {
  uint32x4_t failed = vdupq_n_u32(0);
  if (p.scale32) {
    // REQUIRE -2^(shift-1) <= value < 2^(shift-1): value >> (shift-1) is 0 or -1.
    const int32x4_t top = vshlq_s32(value, vnegq_s32(vsubq_s32(shift, vdupq_n_s32(1))));
    failed = vmvnq_u32(vorrq_u32(vceqzq_s32(top), vceqq_s32(top, vdupq_n_s32(-1))));
  }
  int64x2_t t[2] = {vmull_s32(vget_low_s32(value), vget_low_s32(multiplier)),
                    vmull_high_s32(value, multiplier)};
  const int64x2_t s[2] = {vmovl_s32(vget_low_s32(shift)), vmovl_high_s32(shift)};
  int32x4_t nudge = vdupq_n_s32(0);
  if (p.double_round) {
    const int32x4_t sign = vshrq_n_s32(value, 31);
    nudge = vsubq_s32(veorq_s32(vdupq_n_s32(1 << 30), sign), sign);
    nudge = vandq_s32(nudge, vreinterpretq_s32_u32(vcgtq_s32(shift, vdupq_n_s32(31))));
  }
  const int64x2_t n[2] = {vmovl_s32(vget_low_s32(nudge)), vmovl_high_s32(nudge)};
  int64x2_t r[2];
  for (int h = 0; h < 2; ++h) {
    const int64x2_t round = vshlq_s64(vdupq_n_s64(1), vsubq_s64(s[h], vdupq_n_s64(1)));
    t[h] = vaddq_s64(vaddq_s64(t[h], round), n[h]);
    r[h] = vshlq_s64(t[h], vnegq_s64(s[h]));  // arithmetic: signed sshl
  }
  if (!p.scale32) {
    // apply_scale_16's REQUIRE: the result fits int32.
    const uint64x2_t fits0 = vceqq_s64(vmovl_s32(vqmovn_s64(r[0])), r[0]);
    const uint64x2_t fits1 = vceqq_s64(vmovl_s32(vqmovn_s64(r[1])), r[1]);
    failed = vorrq_u32(failed, vmvnq_u32(vcombine_u32(vmovn_u64(fits0), vmovn_u64(fits1))));
  }
  const int32x4_t scaled = vcombine_s32(vmovn_s64(r[0]), vmovn_s64(r[1]));
  const int32x4_t zp = vdupq_n_s32(p.output_zp);
  const int32x4_t sum =
      vreinterpretq_s32_u32(vaddq_u32(vreinterpretq_u32_s32(scaled), vreinterpretq_u32_s32(zp)));
  const int32x4_t overflow = vandq_s32(veorq_s32(sum, scaled), veorq_s32(sum, zp));
  failed = vorrq_u32(failed, vreinterpretq_u32_s32(vshrq_n_s32(overflow, 31)));
  const int32x4_t clipped =
      vminq_s32(vmaxq_s32(sum, vdupq_n_s32(p.out_min)), vdupq_n_s32(p.out_max));
  return {clipped, failed};
}

template <typename InT, typename OutT>
bool Span(const RescaleSpanParams& p, const void* input, void* output, int64_t count) {
  const auto* in = static_cast<const InT*>(input);
  auto* out = static_cast<OutT*>(output);
  const int32x4_t input_zp = vdupq_n_s32(p.input_zp);
  int32x4_t multiplier = vdupq_n_s32(p.scale32 ? p.multiplier32[0] : p.multiplier16[0]);
  int32x4_t shift = vdupq_n_s32(p.shift[0]);
  uint32x4_t failed = vdupq_n_u32(0);
  const bool store_unsigned = p.out_min >= 0 && sizeof(OutT) < 4;
  for (int64_t i = 0; i < count; i += kRescaleBlock) {
    int32x4_t outs[2];
    for (int h = 0; h < 2; ++h) {
      const int64_t at = i + 4 * h;
      if (p.per_element) {
        multiplier = p.scale32 ? vld1q_s32(p.multiplier32 + at) : Load4(p.multiplier16 + at, false);
        shift = Load4(p.shift + at, false);
      }
      const int32x4_t value = vsubq_s32(Load4(in + at, p.input_unsigned), input_zp);
      const Lanes lanes = Scale4(p, value, multiplier, shift);
      outs[h] = lanes.out;
      failed = vorrq_u32(failed, lanes.failed);
    }
    Store8(out + i, outs[0], outs[1], store_unsigned);
  }
  return vmaxvq_u32(failed) != 0;
}

}  // namespace

const RescaleKernels* NeonRescaleKernels() {
  static const RescaleKernels table = {
      "neon",
      {{Span<int8_t, int8_t>, Span<int8_t, int16_t>, Span<int8_t, int32_t>},
       {Span<int16_t, int8_t>, Span<int16_t, int16_t>, Span<int16_t, int32_t>},
       {Span<int32_t, int8_t>, Span<int32_t, int16_t>, Span<int32_t, int32_t>}}};
  return &table;
}

}  // namespace inferd::cpu::kernels::optimized
#endif  // __aarch64__
