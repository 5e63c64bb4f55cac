#include "backends/cpu/kernels/pooling.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using test_util::RandomFloats;
using test_util::RandomInts;
using ::testing::ElementsAre;

Pool2dParams Params(int ih, int iw, int c, int kh, int kw, int sy, int sx, int pt, int pb, int pl,
                    int pr) {
  Pool2dParams p;
  p.input_height = ih;
  p.input_width = iw;
  p.channels = c;
  p.kernel_height = kh;
  p.kernel_width = kw;
  p.stride_y = sy;
  p.stride_x = sx;
  p.pad_top = pt;
  p.pad_bottom = pb;
  p.pad_left = pl;
  p.pad_right = pr;
  p.output_height = (ih + pt + pb - kh) / sy + 1;
  p.output_width = (iw + pl + pr - kw) / sx + 1;
  return p;
}

// The specification's AVG_POOL2D integer path, spelled out in int64 with the reciprocal scale
// computed by hand: multiplier = floor((2^30 + 1) * 2^k / count), shift = 30 + k.
int64_t SpecAverage(int64_t sum, int64_t count, int64_t output_zp, int64_t lo, int64_t hi) {
  int k = 0;
  while ((int64_t{1} << k) < count) ++k;
  const int64_t multiplier = (((int64_t{1} << 30) + 1) << k) / count;
  const int shift = 30 + k;
  int64_t v = ((sum * multiplier) + (int64_t{1} << (shift - 1))) >> shift;
  v += output_zp;
  return v < lo ? lo : (v > hi ? hi : v);
}

TEST(MaxPool2dInt8Test, PaddingIsNeverSelected) {
  // 2x2 input of negatives, 2x2 window, padding 1 all round: padded cells must not win with 0.
  Pool2dParams p = Params(2, 2, 1, 2, 2, 1, 1, 1, 1, 1, 1);
  const std::vector<int8_t> in = {-10, -20, -30, -128};
  std::vector<int8_t> out(9);
  MaxPool2dInt8(p, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(-10, -10, -20, -10, -10, -20, -30, -30, -128));
}

TEST(MaxPool2dFp32Test, NanModes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Pool2dParams p = Params(1, 4, 1, 1, 2, 1, 2, 0, 0, 0, 0);
  const std::vector<float> in = {nan, 1.0f, nan, nan};
  std::vector<float> out(2);
  MaxPool2dFp32(p, in.data(), out.data(), NanMode::kPropagate);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  MaxPool2dFp32(p, in.data(), out.data(), NanMode::kIgnore);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_TRUE(std::isnan(out[1]));  // all NaN stays NaN
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> neg_inf = {-inf, -inf, -inf, -inf};
  MaxPool2dFp32(p, neg_inf.data(), out.data(), NanMode::kPropagate);
  EXPECT_EQ(out[0], -inf);
}

TEST(AvgPool2dInt8Test, HalvesRoundLikeTheSpecification) {
  // 1x2 windows over [2, 3] and [-2, -3]: 2.5 rounds to 3, but -2.5 becomes -3 because the
  // reciprocal multiplier for 2 is 2^30 + 1, slightly above one half.
  Pool2dParams p = Params(1, 4, 1, 1, 2, 1, 2, 0, 0, 0, 0);
  const std::vector<int8_t> in = {2, 3, -2, -3};
  std::vector<int8_t> out(2);
  ASSERT_EQ(AvgPool2dInt8(p, in.data(), out.data()), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(3, -3));
  // Likewise -1.5: (-3 * (2^30 + 1) + 2^30) >> 31 = (-2^31 - 3) >> 31 = -2.
  const std::vector<int8_t> in2 = {-1, -2, 1, 2};
  ASSERT_EQ(AvgPool2dInt8(p, in2.data(), out.data()), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(-2, 2));
}

TEST(AvgPool2dInt8Test, DivisorExcludesPadding) {
  // 3x3 input 1..9, 3x3 window, padding 1: the corner averages 4 cells, the centre 9.
  Pool2dParams p = Params(3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1);
  const std::vector<int8_t> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<int8_t> out(9);
  ASSERT_EQ(AvgPool2dInt8(p, in.data(), out.data()), KernelStatus::kOk);
  // Row by row: 12/4 = 3, 21/6 = 3.5 -> 4, 16/4 = 4; 27/6 = 4.5 -> 5, 45/9 = 5, 33/6 = 5.5 -> 6;
  // 24/4 = 6, 39/6 = 6.5 -> 7, 28/4 = 7.
  EXPECT_THAT(out, ElementsAre(3, 4, 4, 5, 5, 6, 6, 7, 7));
}

TEST(AvgPool2dInt8Test, ZeroPointsAndSaturationMatchSpecFormula) {
  Pool2dParams p = Params(7, 9, 3, 3, 4, 2, 1, 1, 1, 2, 1);
  p.batch = 2;
  p.input_zp = -100;
  p.output_zp = 60;
  const auto in = RandomInts<int8_t>(2 * 7 * 9 * 3, -128, 127, 61);
  std::vector<int8_t> out(2 * p.output_height * p.output_width * 3);
  ASSERT_EQ(AvgPool2dInt8(p, in.data(), out.data()), KernelStatus::kOk);
  size_t i = 0;
  int saturated = 0;
  for (int n = 0; n < 2; ++n) {
    for (int oy = 0; oy < p.output_height; ++oy) {
      for (int ox = 0; ox < p.output_width; ++ox) {
        for (int c = 0; c < 3; ++c) {
          int64_t sum = 0, count = 0;
          for (int ky = 0; ky < 3; ++ky) {
            for (int kx = 0; kx < 4; ++kx) {
              const int y = oy * 2 - 1 + ky, x = ox - 2 + kx;
              if (y < 0 || y >= 7 || x < 0 || x >= 9) continue;
              sum += in[((n * 7 + y) * 9 + x) * 3 + c] - p.input_zp;
              ++count;
            }
          }
          const int64_t expected = SpecAverage(sum, count, p.output_zp, -128, 127);
          saturated += expected == 127;
          EXPECT_EQ(out[i], expected) << "at " << i;
          ++i;
        }
      }
    }
  }
  EXPECT_GT(saturated, 0);  // the zero points push some averages past 127
}

TEST(AvgPool2dInt16Test, MatchesSpecFormula) {
  Pool2dParams p = Params(5, 6, 2, 2, 3, 1, 3, 1, 0, 0, 0);
  const auto in = RandomInts<int16_t>(5 * 6 * 2, -32768, 32767, 62);
  std::vector<int16_t> out(p.output_height * p.output_width * 2);
  ASSERT_EQ(AvgPool2dInt16(p, in.data(), out.data()), KernelStatus::kOk);
  size_t i = 0;
  for (int oy = 0; oy < p.output_height; ++oy) {
    for (int ox = 0; ox < p.output_width; ++ox) {
      for (int c = 0; c < 2; ++c) {
        int64_t sum = 0, count = 0;
        for (int ky = 0; ky < 2; ++ky) {
          for (int kx = 0; kx < 3; ++kx) {
            const int y = oy - 1 + ky, x = ox * 3 + kx;
            if (y < 0 || y >= 5 || x < 0 || x >= 6) continue;
            sum += in[(y * 6 + x) * 2 + c];
            ++count;
          }
        }
        EXPECT_EQ(out[i], SpecAverage(sum, count, 0, -32768, 32767)) << "at " << i;
        ++i;
      }
    }
  }
}

TEST(AvgPool2dFp32Test, DividesBySumOfValidCells) {
  Pool2dParams p = Params(2, 2, 1, 2, 2, 1, 1, 1, 0, 1, 0);
  const std::vector<float> in = {1.0f, 2.0f, 4.0f, 8.0f};
  std::vector<float> out(4);
  AvgPool2dFp32(p, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(1.0f, 1.5f, 2.5f, 3.75f));
}

TEST(AvgPool2dFp32Test, MatchesNaiveSum) {
  Pool2dParams p = Params(6, 5, 4, 3, 2, 1, 1, 2, 0, 1, 1);
  const auto in = RandomFloats(6 * 5 * 4, -3.0f, 3.0f, 63);
  std::vector<float> out(p.output_height * p.output_width * 4);
  AvgPool2dFp32(p, in.data(), out.data());
  size_t i = 0;
  for (int oy = 0; oy < p.output_height; ++oy) {
    for (int ox = 0; ox < p.output_width; ++ox) {
      for (int c = 0; c < 4; ++c) {
        float sum = 0.0f;
        int count = 0;
        for (int ky = 0; ky < 3; ++ky) {
          for (int kx = 0; kx < 2; ++kx) {
            const int y = oy - 2 + ky, x = ox - 1 + kx;
            if (y < 0 || y >= 6 || x < 0 || x >= 5) continue;
            sum += in[(y * 5 + x) * 4 + c];
            ++count;
          }
        }
        EXPECT_FLOAT_EQ(out[i], sum / count) << "at " << i;
        ++i;
      }
    }
  }
}

TEST(PoolingFloat16Test, MaxPoolNanModesAndAvgPoolAccumulators) {
  // One 1x3 window over [1, 1, 3, 1].
  Pool2dParams p;
  p.input_width = 3;
  p.kernel_width = 3;
  const std::vector<Fp16> in = {Narrow<Fp16>(-2), Narrow<Fp16>(std::nan("")), Narrow<Fp16>(5)};
  Fp16 out;
  MaxPool2dFp16(p, in.data(), &out, NanMode::kIgnore);
  EXPECT_EQ(Widen(out), 5.0);
  MaxPool2dFp16(p, in.data(), &out, NanMode::kPropagate);
  EXPECT_TRUE(std::isnan(Widen(out)));
  // (2048 + 1 + 1) / 3: an fp16 sum stays at 2048 (2049 ties to even) and 2048 / 3 = 682.67
  // rounds to 682.5 in fp16; an fp32 sum is 2050, and 683.33 rounds to 683.5 in fp16.
  const std::vector<Fp16> sum = {Narrow<Fp16>(2048), Narrow<Fp16>(1), Narrow<Fp16>(1)};
  AvgPool2dFp16(p, sum.data(), &out, /*fp16_accumulator=*/true);
  EXPECT_EQ(Widen(out), Widen(Narrow<Fp16>(2048.0 / 3)));
  AvgPool2dFp16(p, sum.data(), &out, /*fp16_accumulator=*/false);
  EXPECT_EQ(Widen(out), Widen(Narrow<Fp16>(static_cast<double>(2050.0f / 3.0f))));
  const std::vector<Bf16> brain = {Narrow<Bf16>(1), Narrow<Bf16>(2), Narrow<Bf16>(6)};
  Bf16 bout;
  AvgPool2dBf16(p, brain.data(), &bout);
  EXPECT_EQ(Widen(bout), 3.0);
  MaxPool2dBf16(p, brain.data(), &bout, NanMode::kPropagate);
  EXPECT_EQ(Widen(bout), 6.0);
}

}  // namespace
}  // namespace inferd::cpu::kernels
