#include "backends/cpu/kernels/cast.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

template <typename OutT, typename InT>
std::vector<OutT> Convert(std::vector<InT> in, KernelStatus expected = KernelStatus::kOk) {
  std::vector<OutT> out(in.size());
  EXPECT_EQ((Cast<InT, OutT>(in.data(), out.data(), static_cast<int64_t>(in.size()))), expected);
  return out;
}

TEST(CastTest, FloatToInt8RoundsTiesToEvenAndSaturates) {
  EXPECT_THAT(Convert<int8_t>(std::vector<float>{0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f}),
              ElementsAre(0, 2, 2, 0, -2, -2, 2));
  EXPECT_THAT(
      Convert<int8_t>(std::vector<float>{127.5f, 300.0f, -129.0f, 1e20f, INFINITY, -INFINITY}),
      ElementsAre(127, 127, -128, 127, 127, -128));
  EXPECT_THAT(Convert<int32_t>(std::vector<float>{3e9f, -3e9f, 2147483520.0f}),
              ElementsAre(std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
                          2147483520));
}

TEST(CastTest, FloatNanToIntegerIsUnpredictable) {
  const std::vector<int16_t> out =
      Convert<int16_t>(std::vector<float>{NAN, 1.0f}, KernelStatus::kUnpredictable);
  EXPECT_EQ(out[1], 1);
}

TEST(CastTest, IntegersWrapWhenNarrowingAndSignExtendWhenWidening) {
  EXPECT_THAT(Convert<int8_t>(std::vector<int32_t>{200, 0x12345678, -129, -1}),
              ElementsAre(-56, 0x78, 127, -1));
  EXPECT_THAT(Convert<int16_t>(std::vector<int32_t>{70000, -32769}), ElementsAre(4464, 32767));
  EXPECT_THAT(Convert<int32_t>(std::vector<int8_t>{-1, -128, 127}), ElementsAre(-1, -128, 127));
}

TEST(CastTest, IntegerToFloatRoundsOnce) {
  EXPECT_THAT(Convert<float>(std::vector<int32_t>{16777217, -16777219, 3}),
              ElementsAre(16777216.0f, -16777220.0f, 3.0f));
  const std::vector<Fp16> half = Convert<Fp16>(std::vector<int32_t>{2049, 2051, 70000, -65520});
  EXPECT_EQ(Widen(half[0]), 2048.0);
  EXPECT_EQ(Widen(half[1]), 2052.0);
  EXPECT_EQ(Widen(half[2]), INFINITY);
  EXPECT_EQ(Widen(half[3]), -INFINITY);
  // 2^24 + 2^16 + 1 lies just above the tie between two bf16 values; going through fp32 first
  // would round it onto the tie and then down to 2^24.
  const std::vector<Bf16> brain = Convert<Bf16>(std::vector<int32_t>{(1 << 24) + (1 << 16) + 1});
  EXPECT_EQ(Widen(brain[0]), double{(1 << 24) + (1 << 17)});
}

TEST(CastTest, BetweenFloatTypes) {
  const std::vector<Fp16> half = Convert<Fp16>(std::vector<float>{65520.0f, 1e-8f, -0.0f, NAN});
  EXPECT_EQ(half[0].bits, 0x7C00);
  EXPECT_EQ(half[1].bits, 0x0000);
  EXPECT_EQ(half[2].bits, 0x8000);
  EXPECT_TRUE(std::isnan(Widen(half[3])));
  EXPECT_THAT(Convert<float>(std::vector<Bf16>{Bf16{0x3FC0}, Bf16{0xC000}}),
              ElementsAre(1.5f, -2.0f));
  EXPECT_THAT(Convert<int8_t>(std::vector<Fp16>{Narrow<Fp16>(-3.5), Narrow<Fp16>(1000.0)}),
              ElementsAre(-4, 127));
}

TEST(CastTest, Bool) {
  const std::vector<float> in = {0.0f, -0.0f, NAN, 0.25f};
  std::vector<uint8_t> flags(4);
  CastToBool<float>(in.data(), flags.data(), 4);
  EXPECT_THAT(flags, ElementsAre(0, 0, 1, 1));
  const std::vector<int16_t> ints = {0, -5};
  CastToBool<int16_t>(ints.data(), flags.data(), 2);
  EXPECT_THAT(flags, ElementsAre(0, 1, 1, 1));
  const std::vector<uint8_t> bools = {1, 0, 2};
  std::vector<float> f(3);
  CastFromBool<float>(bools.data(), f.data(), 3);
  EXPECT_THAT(f, ElementsAre(1.0f, 0.0f, 1.0f));
  std::vector<int32_t> i(3);
  CastFromBool<int32_t>(bools.data(), i.data(), 3);
  EXPECT_THAT(i, ElementsAre(1, 0, 1));
}

}  // namespace
}  // namespace inferd::cpu::kernels
