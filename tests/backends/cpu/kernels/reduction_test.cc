#include "backends/cpu/kernels/reduction.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

// [2, 3] reduced along axis 1 (length 3, inner 1) or axis 0 (length 2, inner 3).
constexpr ReduceParams kAxis1{2, 3, 1};
constexpr ReduceParams kAxis0{1, 2, 3};

TEST(ReduceTest, AllAndAnyTreatNonZeroBytesAsTrue) {
  const std::vector<uint8_t> in = {1, 2, 1, 0, 0, 5};
  std::vector<uint8_t> out(2);
  ReduceAll(kAxis1, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(1, 0));
  ReduceAny(kAxis1, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(1, 1));
  std::vector<uint8_t> cols(3);
  ReduceAll(kAxis0, in.data(), cols.data());
  EXPECT_THAT(cols, ElementsAre(0, 0, 1));
}

TEST(ReduceTest, IntegerMaxMin) {
  const std::vector<int8_t> in = {-128, -3, 7, 127, -128, 0};
  std::vector<int8_t> out(2);
  ReduceMaxInt8(kAxis1, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(7, 127));
  ReduceMinInt8(kAxis1, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(-128, -128));
  const std::vector<int32_t> wide = {INT32_MIN, 4, -9, INT32_MAX, 2, -10};
  std::vector<int32_t> cols(3);
  ReduceMaxInt32(kAxis0, wide.data(), cols.data());
  EXPECT_THAT(cols, ElementsAre(INT32_MAX, 4, -9));
  ReduceMinInt32(kAxis0, wide.data(), cols.data());
  EXPECT_THAT(cols, ElementsAre(INT32_MIN, 2, -10));
}

TEST(ReduceTest, FloatMaxNanModes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> in = {1.0f, nan, 3.0f, nan, nan, nan};
  std::vector<float> out(2);
  ReduceMaxFp32(kAxis1, in.data(), out.data(), NanMode::kPropagate);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  ReduceMaxFp32(kAxis1, in.data(), out.data(), NanMode::kIgnore);
  EXPECT_EQ(out[0], 3.0f);
  EXPECT_TRUE(std::isnan(out[1]));  // all NaN stays NaN
  const std::vector<float> infs = {-inf, -inf, -inf, inf, inf, inf};
  ReduceMaxFp32(kAxis1, infs.data(), out.data(), NanMode::kPropagate);
  EXPECT_THAT(out, ElementsAre(-inf, inf));
  ReduceMinFp32(kAxis1, infs.data(), out.data(), NanMode::kPropagate);
  EXPECT_THAT(out, ElementsAre(-inf, inf));
  ReduceMinFp32(kAxis1, in.data(), out.data(), NanMode::kIgnore);
  EXPECT_EQ(out[0], 1.0f);
}

TEST(ReduceTest, SumAndProduct) {
  const std::vector<float> in = {1.5f, 2.0f, -4.0f, 0.5f, 0.25f, 8.0f};
  std::vector<float> out(2);
  ReduceSumFp32(kAxis1, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(-0.5f, 8.75f));
  ReduceProductFp32(kAxis1, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(-12.0f, 1.0f));
  const std::vector<int32_t> ints = {1, 2, 3, -4, -5, -6};
  std::vector<int32_t> sums(3);
  EXPECT_EQ(ReduceSumInt32(kAxis0, ints.data(), sums.data()), KernelStatus::kOk);
  EXPECT_THAT(sums, ElementsAre(-3, -3, -3));
}

TEST(ReduceTest, Int32SumOverflowIsUnpredictable) {
  // The partial sum INT32_MAX + 1 leaves int32 even though the final sum would fit again; the
  // specification's apply_add_s REQUIRE applies to every step.
  const std::vector<int32_t> in = {INT32_MAX, 1, -1};
  std::vector<int32_t> out(1);
  EXPECT_EQ(ReduceSumInt32(ReduceParams{1, 3, 1}, in.data(), out.data()),
            KernelStatus::kUnpredictable);
}

TEST(ReduceTest, Fp16SumRoundsEveryStepBf16SumAccumulatesInFp32) {
  // fp16: 2048 + 1 ties to even back to 2048 at each step. bf16 accumulates in fp32, so
  // 256 + 1 + 1 = 258, which bf16 holds exactly (a bf16 accumulator would have stayed at 256).
  const std::vector<Fp16> half = {Narrow<Fp16>(2048), Narrow<Fp16>(1), Narrow<Fp16>(1)};
  Fp16 half_sum;
  ReduceSumFp16(ReduceParams{1, 3, 1}, half.data(), &half_sum);
  EXPECT_EQ(Widen(half_sum), 2048.0);
  const std::vector<Bf16> brain = {Narrow<Bf16>(256), Narrow<Bf16>(1), Narrow<Bf16>(1)};
  Bf16 brain_sum;
  ReduceSumBf16(ReduceParams{1, 3, 1}, brain.data(), &brain_sum);
  EXPECT_EQ(Widen(brain_sum), 258.0);
}

TEST(ReduceTest, Float16MaxMinAndProduct) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Fp16> in = {Narrow<Fp16>(-1.5), Narrow<Fp16>(nan), Narrow<Fp16>(65504)};
  Fp16 out;
  ReduceMaxFp16(ReduceParams{1, 3, 1}, in.data(), &out, NanMode::kIgnore);
  EXPECT_EQ(Widen(out), 65504.0);
  ReduceMaxFp16(ReduceParams{1, 3, 1}, in.data(), &out, NanMode::kPropagate);
  EXPECT_TRUE(std::isnan(Widen(out)));
  ReduceMinFp16(ReduceParams{1, 3, 1}, in.data(), &out, NanMode::kIgnore);
  EXPECT_EQ(Widen(out), -1.5);
  const std::vector<Bf16> factors = {Narrow<Bf16>(3), Narrow<Bf16>(-0.5), Narrow<Bf16>(4)};
  Bf16 product;
  ReduceProductBf16(ReduceParams{1, 3, 1}, factors.data(), &product);
  EXPECT_EQ(Widen(product), -6.0);
  Bf16 low;
  ReduceMinBf16(ReduceParams{1, 3, 1}, factors.data(), &low, NanMode::kPropagate);
  EXPECT_EQ(Widen(low), -0.5);
}

}  // namespace
}  // namespace inferd::cpu::kernels
