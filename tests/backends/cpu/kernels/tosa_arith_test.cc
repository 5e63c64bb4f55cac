#include "backends/cpu/kernels/tosa_arith.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

int32_t Scale32(int32_t value, int32_t multiplier, int32_t shift, bool double_round = false) {
  bool unpredictable = false;
  const int32_t result = ApplyScale32(value, multiplier, shift, double_round, unpredictable);
  EXPECT_FALSE(unpredictable) << value << " " << multiplier << " " << shift;
  return result;
}

TEST(CountLeadingZeros32Test, MatchesBitWidth) {
  EXPECT_EQ(CountLeadingZeros32(0), 32);
  EXPECT_EQ(CountLeadingZeros32(1), 31);
  EXPECT_EQ(CountLeadingZeros32(2), 30);
  EXPECT_EQ(CountLeadingZeros32(3), 30);
  EXPECT_EQ(CountLeadingZeros32(0x80000000u), 0);
  EXPECT_EQ(CountLeadingZeros32(0x0000ffffu), 16);
}

TEST(ApplyScale32Test, UnitScaleIsIdentity) {
  for (int32_t v : {0, 1, -1, 127, -128, 1 << 28, -(1 << 29)}) {
    EXPECT_EQ(Scale32(v, 1 << 30, 30), v);
  }
}

TEST(ApplyScale32Test, TiesRoundHalfUp) {
  // Scale by 1/2: 1/2 -> 1, -1/2 -> 0, 3/2 -> 2, -3/2 -> -1, 5/2 -> 3, -5/2 -> -2.
  EXPECT_EQ(Scale32(1, 1 << 30, 31), 1);
  EXPECT_EQ(Scale32(-1, 1 << 30, 31), 0);
  EXPECT_EQ(Scale32(3, 1 << 30, 31), 2);
  EXPECT_EQ(Scale32(-3, 1 << 30, 31), -1);
  EXPECT_EQ(Scale32(5, 1 << 30, 31), 3);
  EXPECT_EQ(Scale32(-5, 1 << 30, 31), -2);
  // Non-ties round to nearest: 7/4 -> 2, -7/4 -> -2, 5/4 -> 1, -5/4 -> -1.
  EXPECT_EQ(Scale32(7, 1 << 30, 32), 2);
  EXPECT_EQ(Scale32(-7, 1 << 30, 32), -2);
  EXPECT_EQ(Scale32(5, 1 << 30, 32), 1);
  EXPECT_EQ(Scale32(-5, 1 << 30, 32), -1);
}

TEST(ApplyScale32Test, DoubleRoundDiffersOnlyAboveShift31) {
  // 1/4: single rounding gives 0; rounding first to 31 fractional bits gives 1/2, then 1.
  EXPECT_EQ(Scale32(1, 1 << 30, 32, false), 0);
  EXPECT_EQ(Scale32(1, 1 << 30, 32, true), 1);
  // -18/4 = -4.5: half up gives -4, the double-rounding nudge gives -5.
  EXPECT_EQ(Scale32(-18, 1 << 30, 32, false), -4);
  EXPECT_EQ(Scale32(-18, 1 << 30, 32, true), -5);
  // -14/4 = -3.5.
  EXPECT_EQ(Scale32(-14, 1 << 30, 32, false), -3);
  EXPECT_EQ(Scale32(-14, 1 << 30, 32, true), -4);
  // For shift <= 31 the flag changes nothing.
  EXPECT_EQ(Scale32(-5, 1 << 30, 31, true), -2);
  EXPECT_EQ(Scale32(5, 1 << 30, 31, true), 3);
}

TEST(ApplyScale32Test, LargeValuesAndMultipliers) {
  // INT32_MAX * (2^31 - 1) / 2^62 rounds to 1; the intermediate needs the full 64 bits.
  EXPECT_EQ(Scale32(INT32_MAX, INT32_MAX, 62), 1);
  EXPECT_EQ(Scale32(INT32_MIN, INT32_MAX, 62), -1);
  // A multiplier of 0.75 * 2^30.
  EXPECT_EQ(Scale32(1000, 3 << 28, 30), 750);
  EXPECT_EQ(Scale32(-1000, 3 << 28, 30), -750);
}

TEST(ApplyScale32Test, RequireViolationsAreFlagged) {
  bool unpredictable = false;
  ApplyScale32(1, 1 << 30, 1, false, unpredictable);
  EXPECT_TRUE(unpredictable);
  unpredictable = false;
  ApplyScale32(1, 1 << 30, 63, false, unpredictable);
  EXPECT_TRUE(unpredictable);
  unpredictable = false;
  ApplyScale32(1, -1, 30, false, unpredictable);
  EXPECT_TRUE(unpredictable);
  // Value outside [-2^(shift-1), 2^(shift-1)).
  unpredictable = false;
  ApplyScale32(1 << 9, 1 << 30, 10, false, unpredictable);
  EXPECT_TRUE(unpredictable);
  unpredictable = false;
  ApplyScale32(-(1 << 9), 1 << 30, 10, false, unpredictable);
  EXPECT_FALSE(unpredictable);
}

TEST(ApplyScale16Test, RoundsAndFlagsOverflow) {
  bool unpredictable = false;
  EXPECT_EQ(ApplyScale16(100, 1 << 14, 14, unpredictable), 100);
  EXPECT_EQ(ApplyScale16(3, 1 << 14, 15, unpredictable), 2);    // 1.5 -> 2
  EXPECT_EQ(ApplyScale16(-3, 1 << 14, 15, unpredictable), -1);  // -1.5 -> -1
  EXPECT_FALSE(unpredictable);
  // 48-bit values scaled by 2^-16: -2^47 gives exactly INT32_MIN, while 2^47 - 1 rounds to 2^31,
  // which the REQUIRE on the int32 result rejects.
  EXPECT_EQ(ApplyScale16(kInt48Min, 1 << 14, 30, unpredictable), INT32_MIN);
  EXPECT_FALSE(unpredictable);
  ApplyScale16(kInt48Max, 1 << 14, 30, unpredictable);
  EXPECT_TRUE(unpredictable);
}

TEST(ReciprocalScaleTest, MatchesSpecificationFormula) {
  EXPECT_EQ(ReciprocalScale(1).multiplier, (1 << 30) + 1);
  EXPECT_EQ(ReciprocalScale(1).shift, 30);
  EXPECT_EQ(ReciprocalScale(2).multiplier, (1 << 30) + 1);
  EXPECT_EQ(ReciprocalScale(2).shift, 31);
  EXPECT_EQ(ReciprocalScale(3).multiplier, 1431655766);  // floor(4 * (2^30 + 1) / 3)
  EXPECT_EQ(ReciprocalScale(3).shift, 32);
  EXPECT_EQ(ReciprocalScale(9).multiplier, 1908874355);  // floor(16 * (2^30 + 1) / 9)
  EXPECT_EQ(ReciprocalScale(9).shift, 34);
  EXPECT_EQ(ReciprocalScale(7).multiplier, 1227133514);
  EXPECT_EQ(ReciprocalScale(7).shift, 33);
}

TEST(ApplyMaxMinFpTest, NanModes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(ApplyMaxFp(nan, 1.0f, NanMode::kPropagate)));
  EXPECT_TRUE(std::isnan(ApplyMinFp(1.0f, nan, NanMode::kPropagate)));
  EXPECT_EQ(ApplyMaxFp(nan, 1.0f, NanMode::kIgnore), 1.0f);
  EXPECT_EQ(ApplyMinFp(1.0f, nan, NanMode::kIgnore), 1.0f);
  EXPECT_TRUE(std::isnan(ApplyMaxFp(nan, nan, NanMode::kIgnore)));
  EXPECT_EQ(ApplyMaxFp(-2.0f, 3.0f, NanMode::kPropagate), 3.0f);
  EXPECT_EQ(ApplyMinFp(-2.0f, 3.0f, NanMode::kPropagate), -2.0f);
  // Equal zeros: max keeps its first operand (a >= b), min its second (a < b fails).
  EXPECT_TRUE(std::signbit(ApplyMaxFp(-0.0f, 0.0f, NanMode::kPropagate)));
  EXPECT_FALSE(std::signbit(ApplyMinFp(-0.0f, 0.0f, NanMode::kPropagate)));
}

}  // namespace
}  // namespace inferd::cpu::kernels
