#include "backends/cpu/kernels/elementwise_arithmetic.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using test_util::Flat;
using ::testing::ElementsAre;

TEST(IntDivTest, TruncatesTowardZero) {
  const std::vector<int32_t> a = {7, -7, 7, -7, 0, std::numeric_limits<int32_t>::min()};
  const std::vector<int32_t> b = {2, 2, -2, -2, 5, 1};
  std::vector<int32_t> out(6);
  EXPECT_EQ(IntDivInt32(Flat(6), a.data(), b.data(), out.data()), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(3, -3, -3, 3, 0, std::numeric_limits<int32_t>::min()));
}

TEST(IntDivTest, DivisionByZeroAndOverflowAreUnpredictable) {
  const std::vector<int32_t> a = {5, std::numeric_limits<int32_t>::min()};
  const std::vector<int32_t> zero = {0, 1};
  const std::vector<int32_t> minus_one = {1, -1};
  std::vector<int32_t> out(2);
  EXPECT_EQ(IntDivInt32(Flat(2), a.data(), zero.data(), out.data()), KernelStatus::kUnpredictable);
  EXPECT_EQ(IntDivInt32(Flat(2), a.data(), minus_one.data(), out.data()),
            KernelStatus::kUnpredictable);
}

TEST(MinMaxTest, Int32Broadcast) {
  BroadcastShape s;
  s.rank = 2;
  s.output_dims[0] = 2;
  s.output_dims[1] = 2;
  s.input1_dims[0] = 2;
  s.input1_dims[1] = 2;
  s.input2_dims[0] = 1;
  s.input2_dims[1] = 2;
  const std::vector<int32_t> a = {-5, 5, 10, -10};
  const std::vector<int32_t> b = {0, 7};
  std::vector<int32_t> out(4);
  MaximumInt32(s, a.data(), b.data(), out.data());
  EXPECT_THAT(out, ElementsAre(0, 7, 10, 7));
  MinimumInt32(s, a.data(), b.data(), out.data());
  EXPECT_THAT(out, ElementsAre(-5, 5, 0, -10));
}

TEST(MinMaxTest, NanModes) {
  const std::vector<float> a = {NAN, 1.0f, NAN, 2.0f};
  const std::vector<float> b = {3.0f, NAN, NAN, 1.0f};
  std::vector<float> out(4);
  FloatBinary<float>(FloatBinaryOp::kMaximum, NanMode::kPropagate, Flat(4), a.data(), b.data(),
                     out.data());
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]) && std::isnan(out[2]));
  EXPECT_EQ(out[3], 2.0f);
  FloatBinary<float>(FloatBinaryOp::kMaximum, NanMode::kIgnore, Flat(4), a.data(), b.data(),
                     out.data());
  EXPECT_EQ(out[0], 3.0f);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_TRUE(std::isnan(out[2]));
  FloatBinary<float>(FloatBinaryOp::kMinimum, NanMode::kIgnore, Flat(4), a.data(), b.data(),
                     out.data());
  EXPECT_EQ(out[0], 3.0f);
  EXPECT_EQ(out[3], 1.0f);
}

TEST(MinMaxTest, ZerosFollowTheSpecificationsComparisons) {
  const std::vector<float> a = {-0.0f, 0.0f};
  const std::vector<float> b = {0.0f, -0.0f};
  std::vector<float> out(2);
  // apply_max_s: a >= b ? a : b, so the first zero wins.
  FloatBinary<float>(FloatBinaryOp::kMaximum, NanMode::kPropagate, Flat(2), a.data(), b.data(),
                     out.data());
  EXPECT_TRUE(std::signbit(out[0]));
  EXPECT_FALSE(std::signbit(out[1]));
  // apply_min_s: a < b ? a : b, so the second zero wins.
  FloatBinary<float>(FloatBinaryOp::kMinimum, NanMode::kPropagate, Flat(2), a.data(), b.data(),
                     out.data());
  EXPECT_FALSE(std::signbit(out[0]));
  EXPECT_TRUE(std::signbit(out[1]));
}

TEST(FloatBinaryTest, Fp16ArithmeticIsCorrectlyRounded) {
  const std::vector<Fp16> a = {Narrow<Fp16>(2048.0), Narrow<Fp16>(1.0), Narrow<Fp16>(60000.0)};
  const std::vector<Fp16> b = {Narrow<Fp16>(1.0), Narrow<Fp16>(std::ldexp(1.0, -11)),
                               Narrow<Fp16>(10000.0)};
  std::vector<Fp16> out(3);
  FloatBinary<Fp16>(FloatBinaryOp::kAdd, NanMode::kPropagate, Flat(3), a.data(), b.data(),
                    out.data());
  EXPECT_EQ(Widen(out[0]), 2048.0);  // 2049 ties to even
  EXPECT_EQ(Widen(out[1]), 1.0);     // 1 + 2^-11 ties to even
  EXPECT_TRUE(std::isinf(Widen(out[2])));
  FloatBinary<Fp16>(FloatBinaryOp::kSub, NanMode::kPropagate, Flat(3), a.data(), b.data(),
                    out.data());
  EXPECT_EQ(Widen(out[0]), 2047.0);
  EXPECT_EQ(Widen(out[2]), 49984.0);  // 50000 = 1562.5 * 32 ties to the even multiple
  FloatBinary<Fp16>(FloatBinaryOp::kMul, NanMode::kPropagate, Flat(3), a.data(), b.data(),
                    out.data());
  EXPECT_EQ(Widen(out[1]), std::ldexp(1.0, -11));
}

TEST(FloatBinaryTest, Bf16AndPow) {
  const std::vector<Bf16> a = {Narrow<Bf16>(3.0), Narrow<Bf16>(2.0)};
  const std::vector<Bf16> b = {Narrow<Bf16>(1.0 / 3.0), Narrow<Bf16>(10.0)};
  std::vector<Bf16> out(2);
  FloatBinary<Bf16>(FloatBinaryOp::kMul, NanMode::kPropagate, Flat(2), a.data(), b.data(),
                    out.data());
  EXPECT_EQ(out[0].bits, Narrow<Bf16>(3.0 * Widen(b[0])).bits);
  FloatBinary<Bf16>(FloatBinaryOp::kPow, NanMode::kPropagate, Flat(2), a.data(), b.data(),
                    out.data());
  EXPECT_EQ(Widen(out[1]), 1024.0);
  const std::vector<float> x = {4.0f, 2.0f};
  const std::vector<float> y = {0.5f, -1.0f};
  std::vector<float> r(2);
  FloatBinary<float>(FloatBinaryOp::kPow, NanMode::kPropagate, Flat(2), x.data(), y.data(),
                     r.data());
  EXPECT_THAT(r, ElementsAre(2.0f, 0.5f));
}

}  // namespace
}  // namespace inferd::cpu::kernels
