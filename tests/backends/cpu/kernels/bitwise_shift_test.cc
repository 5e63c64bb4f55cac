#include "backends/cpu/kernels/bitwise_shift.h"

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

template <typename T>
std::vector<T> Asr(std::vector<T> values, std::vector<T> shifts, bool round,
                   KernelStatus expected = KernelStatus::kOk) {
  std::vector<T> out(values.size());
  EXPECT_EQ(ArithmeticRightShift<T>(Flat(static_cast<int32_t>(values.size())), values.data(),
                                    shifts.data(), round, out.data()),
            expected);
  return out;
}

TEST(ArithmeticRightShiftTest, TruncatesTowardMinusInfinityWithoutRound) {
  EXPECT_THAT(Asr<int8_t>({-3, 5, -128, 127, 7}, {1, 1, 7, 7, 0}, false),
              ElementsAre(-2, 2, -1, 0, 7));
}

TEST(ArithmeticRightShiftTest, RoundAddsTheLastBitShiftedOut) {
  // -3 >> 1 = -2 and the bit shifted out is 1, so -1; 5 >> 1 = 2 (+1) = 3; 4 >> 1 stays 2.
  EXPECT_THAT(Asr<int8_t>({-3, 5, 4, -128, 127, 9}, {1, 1, 1, 7, 7, 0}, true),
              ElementsAre(-1, 3, 2, -1, 1, 9));
  EXPECT_THAT(Asr<int16_t>({-32768, 32767, -5}, {15, 15, 2}, true), ElementsAre(-1, 1, -1));
  EXPECT_THAT(Asr<int32_t>({std::numeric_limits<int32_t>::min(), 0x7fffffff, 6}, {31, 31, 2}, true),
              ElementsAre(-1, 1, 2));
}

TEST(ArithmeticRightShiftTest, ShiftBeyondTheWidthIsUnpredictable) {
  Asr<int8_t>({1}, {8}, false, KernelStatus::kUnpredictable);
  Asr<int16_t>({1}, {-1}, false, KernelStatus::kUnpredictable);
  Asr<int32_t>({1}, {32}, true, KernelStatus::kUnpredictable);
  Asr<int32_t>({1}, {31}, true);
}

TEST(LogicalShiftTest, LeftShiftKeepsTheLowBits) {
  std::vector<int8_t> a = {1, 0x7f, -1, 3};
  std::vector<int8_t> b = {7, 1, 4, 0};
  std::vector<int8_t> out(4);
  EXPECT_EQ(LogicalLeftShift<int8_t>(Flat(4), a.data(), b.data(), out.data()), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(-128, -2, -16, 3));
  std::vector<int32_t> a32 = {1, 0x40000001};
  std::vector<int32_t> b32 = {31, 2};
  std::vector<int32_t> out32(2);
  EXPECT_EQ(LogicalLeftShift<int32_t>(Flat(2), a32.data(), b32.data(), out32.data()),
            KernelStatus::kOk);
  EXPECT_THAT(out32, ElementsAre(std::numeric_limits<int32_t>::min(), 4));
}

TEST(LogicalShiftTest, RightShiftBringsInZeros) {
  std::vector<int8_t> a = {-1, -128, 64, -1};
  std::vector<int8_t> b = {1, 7, 6, 0};
  std::vector<int8_t> out(4);
  EXPECT_EQ(LogicalRightShift<int8_t>(Flat(4), a.data(), b.data(), out.data()), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(127, 1, 1, -1));
  std::vector<int16_t> a16 = {-1};
  std::vector<int16_t> b16 = {15};
  std::vector<int16_t> out16(1);
  LogicalRightShift<int16_t>(Flat(1), a16.data(), b16.data(), out16.data());
  EXPECT_EQ(out16[0], 1);
  std::vector<int32_t> a32 = {-1};
  std::vector<int32_t> b32 = {32};
  std::vector<int32_t> out32(1);
  EXPECT_EQ(LogicalRightShift<int32_t>(Flat(1), a32.data(), b32.data(), out32.data()),
            KernelStatus::kUnpredictable);
}

TEST(BitwiseTest, AndOrXorBroadcast) {
  // input1 [2,1] against input2 [1,3].
  BroadcastShape s;
  s.rank = 2;
  s.output_dims[0] = 2;
  s.output_dims[1] = 3;
  s.input1_dims[0] = 2;
  s.input1_dims[1] = 1;
  s.input2_dims[0] = 1;
  s.input2_dims[1] = 3;
  const std::vector<int16_t> a = {0x0ff0, -1};
  const std::vector<int16_t> b = {0x00ff, 0x0f0f, 0};
  std::vector<int16_t> out(6);
  BitwiseBinary<int16_t>(BitwiseOp::kAnd, s, a.data(), b.data(), out.data());
  EXPECT_THAT(out, ElementsAre(0x00f0, 0x0f00, 0, 0x00ff, 0x0f0f, 0));
  BitwiseBinary<int16_t>(BitwiseOp::kOr, s, a.data(), b.data(), out.data());
  EXPECT_THAT(out, ElementsAre(0x0fff, 0x0fff, 0x0ff0, -1, -1, -1));
  BitwiseBinary<int16_t>(BitwiseOp::kXor, s, a.data(), b.data(), out.data());
  EXPECT_THAT(out, ElementsAre(0x0f0f, 0x00ff, 0x0ff0, static_cast<int16_t>(0xff00),
                               static_cast<int16_t>(0xf0f0), -1));
}

TEST(BitwiseTest, NotFlipsEveryBit) {
  const std::vector<int8_t> in = {0, -1, 0x55, -128};
  std::vector<int8_t> out(4);
  BitwiseNot<int8_t>(in.data(), out.data(), 4);
  EXPECT_THAT(out, ElementsAre(-1, 0, static_cast<int8_t>(0xaa), 127));
}

TEST(CountLeadingZerosTest, CountsFromTheTopBit) {
  const std::vector<int32_t> in = {0, 1, -1, 0x00010000, 0x7fffffff};
  std::vector<int32_t> out(5);
  CountLeadingZeros(in.data(), out.data(), 5);
  EXPECT_THAT(out, ElementsAre(32, 31, 0, 15, 1));
}

}  // namespace
}  // namespace inferd::cpu::kernels
