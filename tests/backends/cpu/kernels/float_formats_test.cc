#include "backends/cpu/kernels/float_formats.h"

#include <cmath>
#include <cstdint>

#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

uint16_t Half(double v) { return Narrow<Fp16>(v).bits; }
uint16_t Brain(double v) { return Narrow<Bf16>(v).bits; }

TEST(Fp16Test, RoundsToNearestEven) {
  EXPECT_EQ(Half(1.0), 0x3C00);
  EXPECT_EQ(Half(-2.0), 0xC000);
  EXPECT_EQ(Half(65504.0), 0x7BFF);  // largest finite
  // 1 + 2^-11 is half way between 1 and the next fp16: ties go to the even mantissa (1.0).
  EXPECT_EQ(Half(1.0 + std::ldexp(1.0, -11)), 0x3C00);
  EXPECT_EQ(Half(1.0 + 3 * std::ldexp(1.0, -11)), 0x3C02);
  EXPECT_EQ(Half(2049.0), 0x6800);  // 2048
  EXPECT_EQ(Half(2051.0), 0x6802);  // 2052
}

TEST(Fp16Test, OverflowsToInfinityAndUnderflowsThroughSubnormals) {
  EXPECT_EQ(Half(65519.0), 0x7BFF);
  EXPECT_EQ(Half(65520.0), 0x7C00);  // the tie above the largest finite rounds up to infinity
  EXPECT_EQ(Half(-1e10), 0xFC00);
  EXPECT_EQ(Half(INFINITY), 0x7C00);
  EXPECT_EQ(Half(std::ldexp(1.0, -24)), 0x0001);      // smallest subnormal
  EXPECT_EQ(Half(std::ldexp(1.0, -25)), 0x0000);      // tie to even: zero
  EXPECT_EQ(Half(3 * std::ldexp(1.0, -26)), 0x0001);  // above the tie
  EXPECT_EQ(Half(std::ldexp(1023.5, -24)), 0x0400);   // rounds up into the smallest normal
  EXPECT_EQ(Half(-0.0), 0x8000);
  EXPECT_EQ(Half(-1e-30), 0x8000);
  EXPECT_EQ(Half(NAN) & 0x7C00, 0x7C00);
  EXPECT_NE(Half(NAN) & 0x03FF, 0);
}

TEST(Fp16Test, EveryEncodingWidensAndNarrowsBackUnchanged) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const double v = Widen(Fp16{static_cast<uint16_t>(bits)});
    if (std::isnan(v)) {
      EXPECT_TRUE((bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0) << bits;
      continue;
    }
    ASSERT_EQ(Half(v), bits) << "value " << v;
  }
}

TEST(Bf16Test, RoundsToNearestEven) {
  EXPECT_EQ(Brain(1.0), 0x3F80);
  EXPECT_EQ(Brain(1.0 + std::ldexp(1.0, -8)), 0x3F80);      // tie to even
  EXPECT_EQ(Brain(1.0 + 3 * std::ldexp(1.0, -8)), 0x3F82);  // tie to even, upwards
  EXPECT_EQ(Brain(3.0e38), 0x7F62);
  EXPECT_EQ(Brain(3.4e38), 0x7F80);  // beyond the largest bf16: infinity
  EXPECT_EQ(Brain(-0.0), 0x8000);
  EXPECT_EQ(Widen(Bf16{0x3FC0}), 1.5);
  EXPECT_EQ(Widen(Bf16{0x0001}), std::ldexp(1.0, -133));  // subnormal
}

TEST(Bf16Test, EveryEncodingWidensAndNarrowsBackUnchanged) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const double v = Widen(Bf16{static_cast<uint16_t>(bits)});
    if (std::isnan(v)) continue;
    ASSERT_EQ(Brain(v), bits) << "value " << v;
  }
}

}  // namespace
}  // namespace inferd::cpu::kernels
