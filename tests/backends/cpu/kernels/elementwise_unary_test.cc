#include "backends/cpu/kernels/elementwise_unary.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(NegateTest, Int8ZeroPoints) {
  // output = clip(output_zp - (input - input1_zp)).
  const std::vector<int8_t> in = {10, -128, 100, 3};
  std::vector<int8_t> out(4);
  EXPECT_EQ(NegateInt<int8_t>(in.data(), out.data(), 4, 3, -5), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(-12, 126, -102, -5));
  // -(-128) saturates; 100 - (-100) = 200 negated saturates low.
  EXPECT_EQ(NegateInt<int8_t>(in.data(), out.data(), 4, 0, 0), KernelStatus::kOk);
  EXPECT_EQ(out[1], 127);
  const std::vector<int8_t> big = {100};
  EXPECT_EQ(NegateInt<int8_t>(big.data(), out.data(), 1, -100, 0), KernelStatus::kOk);
  EXPECT_EQ(out[0], -128);
}

TEST(NegateTest, Int16SaturatesAndRejectsZeroPoints) {
  const std::vector<int16_t> in = {-32768, 32767, 0};
  std::vector<int16_t> out(3);
  EXPECT_EQ(NegateInt<int16_t>(in.data(), out.data(), 3, 0, 0), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(32767, -32767, 0));
  EXPECT_EQ(NegateInt<int16_t>(in.data(), out.data(), 3, 1, 0), KernelStatus::kInvalidArgument);
  EXPECT_EQ(NegateInt<int16_t>(in.data(), out.data(), 3, 0, -1), KernelStatus::kInvalidArgument);
}

TEST(NegateTest, Int32OverflowIsUnpredictable) {
  const std::vector<int32_t> in = {5, std::numeric_limits<int32_t>::max()};
  std::vector<int32_t> out(2);
  EXPECT_EQ(NegateInt<int32_t>(in.data(), out.data(), 2, 0, 0), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(-5, -std::numeric_limits<int32_t>::max()));
  const std::vector<int32_t> min = {std::numeric_limits<int32_t>::min()};
  EXPECT_EQ(NegateInt<int32_t>(min.data(), out.data(), 1, 0, 0), KernelStatus::kUnpredictable);
}

TEST(AbsTest, Int32) {
  const std::vector<int32_t> in = {-7, 7, 0, -std::numeric_limits<int32_t>::max()};
  std::vector<int32_t> out(4);
  EXPECT_EQ(AbsInt32(in.data(), out.data(), 4), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(7, 7, 0, std::numeric_limits<int32_t>::max()));
  const std::vector<int32_t> min = {std::numeric_limits<int32_t>::min()};
  EXPECT_EQ(AbsInt32(min.data(), out.data(), 1), KernelStatus::kUnpredictable);
}

std::vector<float> Apply(FloatUnaryOp op, std::vector<float> in) {
  std::vector<float> out(in.size());
  FloatUnary<float>(op, in.data(), out.data(), static_cast<int64_t>(in.size()));
  return out;
}

TEST(FloatUnaryTest, SignsAndSpecialValues) {
  const std::vector<float> abs = Apply(FloatUnaryOp::kAbs, {-0.0f, -2.5f, -INFINITY});
  EXPECT_FALSE(std::signbit(abs[0]));
  EXPECT_EQ(abs[1], 2.5f);
  EXPECT_EQ(abs[2], INFINITY);
  const std::vector<float> neg = Apply(FloatUnaryOp::kNegate, {0.0f, 1.5f, NAN});
  EXPECT_TRUE(std::signbit(neg[0]));
  EXPECT_EQ(neg[1], -1.5f);
  EXPECT_TRUE(std::isnan(neg[2]));
  const std::vector<float> rsqrt = Apply(FloatUnaryOp::kRsqrt, {4.0f, -0.0f, -1.0f, 0.0f});
  EXPECT_EQ(rsqrt[0], 0.5f);
  EXPECT_EQ(rsqrt[1], -INFINITY);
  EXPECT_TRUE(std::isnan(rsqrt[2]));
  EXPECT_EQ(rsqrt[3], INFINITY);
  const std::vector<float> log = Apply(FloatUnaryOp::kLog, {0.0f, -1.0f, 1.0f});
  EXPECT_EQ(log[0], -INFINITY);
  EXPECT_TRUE(std::isnan(log[1]));
  EXPECT_EQ(log[2], 0.0f);
  EXPECT_THAT(Apply(FloatUnaryOp::kCeil, {-1.5f, 1.2f}), ElementsAre(-1.0f, 2.0f));
  EXPECT_THAT(Apply(FloatUnaryOp::kFloor, {-1.5f, 1.7f}), ElementsAre(-2.0f, 1.0f));
  EXPECT_THAT(Apply(FloatUnaryOp::kReciprocal, {4.0f, -0.0f}), ElementsAre(0.25f, -INFINITY));
}

TEST(FloatUnaryTest, TranscendentalsAreTheRoundedFp64Result) {
  const std::vector<float> in = {0.1f, 1.0f, -3.0f, 100.0f};
  const std::vector<float> exp = Apply(FloatUnaryOp::kExp, in);
  const std::vector<float> sin = Apply(FloatUnaryOp::kSin, in);
  const std::vector<float> cos = Apply(FloatUnaryOp::kCos, in);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(exp[i], static_cast<float>(std::exp(double{in[i]})));
    EXPECT_EQ(sin[i], static_cast<float>(std::sin(double{in[i]})));
    EXPECT_EQ(cos[i], static_cast<float>(std::cos(double{in[i]})));
  }
}

TEST(FloatUnaryTest, Fp16AndBf16) {
  const std::vector<Fp16> in = {Narrow<Fp16>(3.0), Narrow<Fp16>(-0.5)};
  std::vector<Fp16> out(2);
  FloatUnary<Fp16>(FloatUnaryOp::kReciprocal, in.data(), out.data(), 2);
  EXPECT_EQ(out[0].bits, Narrow<Fp16>(1.0 / 3.0).bits);
  EXPECT_EQ(Widen(out[1]), -2.0);
  const std::vector<Bf16> b = {Narrow<Bf16>(-1.25)};
  std::vector<Bf16> bo(1);
  FloatUnary<Bf16>(FloatUnaryOp::kAbs, b.data(), bo.data(), 1);
  EXPECT_EQ(Widen(bo[0]), 1.25);
}

}  // namespace
}  // namespace inferd::cpu::kernels
