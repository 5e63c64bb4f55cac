#include "backends/cpu/kernels/clamp.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(ClampTest, Int8AndInt16) {
  const std::vector<int8_t> in8 = {-128, -6, -5, 0, 10, 11, 127};
  std::vector<int8_t> out8(in8.size());
  ClampInt8(in8.data(), out8.data(), in8.size(), -5, 10);
  EXPECT_THAT(out8, ElementsAre(-5, -5, -5, 0, 10, 10, 10));
  std::vector<int16_t> in16 = {-32768, 300, 32767};
  ClampInt16(in16.data(), in16.data(), in16.size(), -1000, 1000);  // in place
  EXPECT_THAT(in16, ElementsAre(-1000, 300, 1000));
}

TEST(ClampTest, Fp32NanModesAndInfinities) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> in = {nan, -inf, inf, -0.5f, 0.5f, 3.0f};
  std::vector<float> out(in.size());
  ClampFp32(in.data(), out.data(), in.size(), -1.0f, 1.0f, NanMode::kPropagate);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_THAT(std::vector<float>(out.begin() + 1, out.end()),
              ElementsAre(-1.0f, 1.0f, -0.5f, 0.5f, 1.0f));
  ClampFp32(in.data(), out.data(), in.size(), -1.0f, 1.0f, NanMode::kIgnore);
  EXPECT_EQ(out[0], -1.0f);  // max(NaN, min) ignores the NaN
}

TEST(ClampTest, Fp32SignedZeroFollowsSpecificationComparisons) {
  const float in = -0.0f;
  float out = 1.0f;
  ClampFp32(&in, &out, 1, 0.0f, 0.0f, NanMode::kPropagate);
  // apply_max_s(-0, +0): -0 >= +0 is true -> -0. apply_min_s(-0, +0): -0 < +0 is false -> +0.
  EXPECT_EQ(out, 0.0f);
  EXPECT_FALSE(std::signbit(out));
}

TEST(ClampTest, Fp16AndBf16ClipToTheirBoundsExactly) {
  const std::vector<double> values = {-70000.0 / 64, -1.5, -0.25, 0.0, 0.375, 3.0, 65504.0};
  std::vector<Fp16> in16;
  std::vector<Bf16> in_bf;
  for (double v : values) {
    in16.push_back(Narrow<Fp16>(v));
    in_bf.push_back(Narrow<Bf16>(v));
  }
  std::vector<Fp16> out16(in16.size());
  ClampFp16(in16.data(), out16.data(), in16.size(), Narrow<Fp16>(-1.0), Narrow<Fp16>(0.5),
            NanMode::kPropagate);
  std::vector<double> got;
  for (Fp16 v : out16) got.push_back(Widen(v));
  EXPECT_THAT(got, ElementsAre(-1.0, -1.0, -0.25, 0.0, 0.375, 0.5, 0.5));
  std::vector<Bf16> out_bf(in_bf.size());
  ClampBf16(in_bf.data(), out_bf.data(), in_bf.size(), Narrow<Bf16>(-0.25), Narrow<Bf16>(3.0),
            NanMode::kPropagate);
  got.clear();
  for (Bf16 v : out_bf) got.push_back(Widen(v));
  EXPECT_THAT(got, ElementsAre(-0.25, -0.25, -0.25, 0.0, 0.375, 3.0, 3.0));
}

TEST(ClampTest, Fp16NanFollowsTheNanMode) {
  const Fp16 nan = Narrow<Fp16>(std::numeric_limits<double>::quiet_NaN());
  Fp16 out;
  ClampFp16(&nan, &out, 1, Narrow<Fp16>(-1.0), Narrow<Fp16>(1.0), NanMode::kPropagate);
  EXPECT_TRUE(std::isnan(Widen(out)));
  ClampFp16(&nan, &out, 1, Narrow<Fp16>(-1.0), Narrow<Fp16>(1.0), NanMode::kIgnore);
  EXPECT_EQ(Widen(out), -1.0);
}

}  // namespace
}  // namespace inferd::cpu::kernels
