// The tile kernels for aarch64 Advanced SIMD (NEON, part of the base architecture): widening
// int16 multiply-accumulates (smlal) for INT8 and fused multiply-adds (fmla) for FP32.
#include "backends/cpu/kernels/optimized/tile_kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstdint>

namespace inferd::cpu::kernels::optimized {
namespace {

// acc + bias with int32 wrap-around, OR-ing lanes whose addition overflowed into *overflow.
inline int32x4_t AddBias(int32x4_t acc, const int32_t* bias, int32x4_t* overflow) {
  const int32x4_t b = vld1q_s32(bias);
  const int32x4_t sum =
      vreinterpretq_s32_u32(vaddq_u32(vreinterpretq_u32_s32(acc), vreinterpretq_u32_s32(b)));
  *overflow = vorrq_s32(*overflow, vandq_s32(veorq_s32(sum, acc), veorq_s32(sum, b)));
  return sum;
}

bool Int8Tile(const int16_t* const* rows, int64_t depth_pairs, const int16_t* packed,
              const int32_t* bias, int32_t* out, int64_t out_stride, int rows_valid,
              int cols_valid) {
  int32x4_t acc[kTileRows][4];
  for (auto& row : acc) {
    for (auto& v : row) v = vdupq_n_s32(0);
  }
  for (int64_t kp = 0; kp < depth_pairs; ++kp) {
    // Deinterleaving loads: val[0] holds depth 2kp, val[1] depth 2kp+1, for 8 columns each.
    const int16x8x2_t wa = vld2q_s16(packed);
    const int16x8x2_t wb = vld2q_s16(packed + 16);
    packed += 2 * kTileCols;
    for (int r = 0; r < kTileRows; ++r) {
      const int16_t x0 = rows[r][2 * kp];
      const int16_t x1 = rows[r][2 * kp + 1];
      acc[r][0] = vmlal_n_s16(acc[r][0], vget_low_s16(wa.val[0]), x0);
      acc[r][1] = vmlal_high_n_s16(acc[r][1], wa.val[0], x0);
      acc[r][2] = vmlal_n_s16(acc[r][2], vget_low_s16(wb.val[0]), x0);
      acc[r][3] = vmlal_high_n_s16(acc[r][3], wb.val[0], x0);
      acc[r][0] = vmlal_n_s16(acc[r][0], vget_low_s16(wa.val[1]), x1);
      acc[r][1] = vmlal_high_n_s16(acc[r][1], wa.val[1], x1);
      acc[r][2] = vmlal_n_s16(acc[r][2], vget_low_s16(wb.val[1]), x1);
      acc[r][3] = vmlal_high_n_s16(acc[r][3], wb.val[1], x1);
    }
  }
  int32x4_t overflow = vdupq_n_s32(0);
  for (int r = 0; r < rows_valid; ++r) {
    int32_t tmp[kTileCols];
    for (int v = 0; v < 4; ++v) vst1q_s32(tmp + 4 * v, AddBias(acc[r][v], bias + 4 * v, &overflow));
    int32_t* dst = out + r * out_stride;
    for (int c = 0; c < cols_valid; ++c) dst[c] = tmp[c];
  }
  return vminvq_s32(overflow) < 0;
}

void Fp32Tile(const float* const* rows, int64_t depth, const float* packed, const float* bias,
              float* out, int64_t out_stride, int rows_valid, int cols_valid) {
  float32x4_t acc[kTileRows][4];
  for (auto& row : acc) {
    for (auto& v : row) v = vdupq_n_f32(0.0f);
  }
  for (int64_t k = 0; k < depth; ++k) {
    const float32x4_t w0 = vld1q_f32(packed);
    const float32x4_t w1 = vld1q_f32(packed + 4);
    const float32x4_t w2 = vld1q_f32(packed + 8);
    const float32x4_t w3 = vld1q_f32(packed + 12);
    packed += kTileCols;
    for (int r = 0; r < kTileRows; ++r) {
      const float x = rows[r][k];
      acc[r][0] = vfmaq_n_f32(acc[r][0], w0, x);
      acc[r][1] = vfmaq_n_f32(acc[r][1], w1, x);
      acc[r][2] = vfmaq_n_f32(acc[r][2], w2, x);
      acc[r][3] = vfmaq_n_f32(acc[r][3], w3, x);
    }
  }
  for (int r = 0; r < rows_valid; ++r) {
    float tmp[kTileCols];
    for (int v = 0; v < 4; ++v) {
      vst1q_f32(tmp + 4 * v, vaddq_f32(acc[r][v], vld1q_f32(bias + 4 * v)));
    }
    float* dst = out + r * out_stride;
    for (int c = 0; c < cols_valid; ++c) dst[c] = tmp[c];
  }
}

bool DepthwiseInt8(const int8_t* const* inputs, const int16_t* const* weights, int taps,
                   int64_t channels, int32_t input_zp, const int32_t* bias, int32_t* out) {
  const int16x8_t zp = vdupq_n_s16(static_cast<int16_t>(input_zp));
  int32x4_t overflow = vdupq_n_s32(0);
  int64_t c = 0;
  for (; c + kDepthwiseBlock <= channels; c += kDepthwiseBlock) {
    int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
    for (int t = 0; t < taps; ++t) {
      const int8x16_t x8 = vld1q_s8(inputs[t] + c);
      const int16x8_t xl = vsubq_s16(vmovl_s8(vget_low_s8(x8)), zp);
      const int16x8_t xh = vsubq_s16(vmovl_high_s8(x8), zp);
      const int16x8_t wl = vld1q_s16(weights[t] + c);
      const int16x8_t wh = vld1q_s16(weights[t] + c + 8);
      a0 = vmlal_s16(a0, vget_low_s16(xl), vget_low_s16(wl));
      a1 = vmlal_high_s16(a1, xl, wl);
      a2 = vmlal_s16(a2, vget_low_s16(xh), vget_low_s16(wh));
      a3 = vmlal_high_s16(a3, xh, wh);
    }
    vst1q_s32(out + c, AddBias(a0, bias + c, &overflow));
    vst1q_s32(out + c + 4, AddBias(a1, bias + c + 4, &overflow));
    vst1q_s32(out + c + 8, AddBias(a2, bias + c + 8, &overflow));
    vst1q_s32(out + c + 12, AddBias(a3, bias + c + 12, &overflow));
  }
  bool tail_overflow = false;
  for (; c < channels; ++c) {
    int32_t acc = 0;
    for (int t = 0; t < taps; ++t) acc += (inputs[t][c] - input_zp) * weights[t][c];
    const int64_t sum = static_cast<int64_t>(acc) + bias[c];
    if (sum < INT32_MIN || sum > INT32_MAX) tail_overflow = true;
    out[c] = static_cast<int32_t>(sum);
  }
  return tail_overflow || vminvq_s32(overflow) < 0;
}

void DepthwiseFp32(const float* const* inputs, const float* const* weights, int taps,
                   int64_t channels, const float* bias, float* out) {
  int64_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (int t = 0; t < taps; ++t) {
      const float* x = inputs[t] + c;
      const float* w = weights[t] + c;
      a0 = vfmaq_f32(a0, vld1q_f32(x), vld1q_f32(w));
      a1 = vfmaq_f32(a1, vld1q_f32(x + 4), vld1q_f32(w + 4));
      a2 = vfmaq_f32(a2, vld1q_f32(x + 8), vld1q_f32(w + 8));
      a3 = vfmaq_f32(a3, vld1q_f32(x + 12), vld1q_f32(w + 12));
    }
    vst1q_f32(out + c, vaddq_f32(a0, vld1q_f32(bias + c)));
    vst1q_f32(out + c + 4, vaddq_f32(a1, vld1q_f32(bias + c + 4)));
    vst1q_f32(out + c + 8, vaddq_f32(a2, vld1q_f32(bias + c + 8)));
    vst1q_f32(out + c + 12, vaddq_f32(a3, vld1q_f32(bias + c + 12)));
  }
  for (; c + 4 <= channels; c += 4) {
    float32x4_t a = vdupq_n_f32(0.0f);
    for (int t = 0; t < taps; ++t)
      a = vfmaq_f32(a, vld1q_f32(inputs[t] + c), vld1q_f32(weights[t] + c));
    vst1q_f32(out + c, vaddq_f32(a, vld1q_f32(bias + c)));
  }
  for (; c < channels; ++c) {
    float acc = 0.0f;
    for (int t = 0; t < taps; ++t) acc = __builtin_fmaf(inputs[t][c], weights[t][c], acc);
    out[c] = acc + bias[c];
  }
}

}  // namespace

const TileKernels* NeonTileKernels() {
  static const TileKernels table = {"neon",        Int8Tile, Fp32Tile, DepthwiseInt8,
                                    DepthwiseFp32, nullptr,  nullptr,  nullptr};
  return &table;
}

}  // namespace inferd::cpu::kernels::optimized
#endif  // __aarch64__
