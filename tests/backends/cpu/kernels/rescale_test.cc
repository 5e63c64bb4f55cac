#include "backends/cpu/kernels/rescale.h"

#include <cstdint>
#include <vector>

#include "backends/cpu/kernels/tosa_arith.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using test_util::TestRng;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// Per-tensor parameters; the vectors keep the multiplier/shift arrays alive.
struct Scale {
  std::vector<int32_t> multiplier32;
  std::vector<int16_t> multiplier16;
  std::vector<int8_t> shift;
};

RescaleParams MakeParams(const Scale& scale, int64_t count, bool scale32 = true) {
  RescaleParams p;
  p.element_count = count;
  p.scale32 = scale32;
  p.multiplier32 = scale.multiplier32.data();
  p.multiplier16 = scale.multiplier16.data();
  p.shift = scale.shift.data();
  p.channels = static_cast<int32_t>(scale.shift.size());
  return p;
}

TEST(RescaleTest, Int32ToInt8HalfScaleTiesRoundUp) {
  const Scale scale{{1 << 30}, {}, {31}};  // multiply by 1/2
  const std::vector<int32_t> input = {1, -1, 3, -3, 5, -5, 254, 255, 256, -256, -257, -258};
  std::vector<int8_t> output(input.size());
  ASSERT_EQ(Rescale(MakeParams(scale, input.size()), input.data(), output.data()),
            KernelStatus::kOk);
  // 0.5 -> 1, -0.5 -> 0, 1.5 -> 2, -1.5 -> -1, 2.5 -> 3, -2.5 -> -2, then saturation at
  // 127 (254/2 = 127, 255/2 = 127.5 -> 128 -> 127) and -128 (-257/2 = -128.5 -> -128).
  EXPECT_THAT(output, ElementsAre(1, 0, 2, -1, 3, -2, 127, 127, 127, -128, -128, -128));
}

TEST(RescaleTest, ZeroPointsAreSubtractedThenAdded) {
  const Scale scale{{1 << 30}, {}, {30}};  // unit scale
  RescaleParams p = MakeParams(scale, 4);
  p.input_zp = -10;
  p.output_zp = 5;
  const std::vector<int8_t> input = {-10, 0, 112, -128};
  std::vector<int8_t> output(4);
  ASSERT_EQ(Rescale(p, input.data(), output.data()), KernelStatus::kOk);
  // (v + 10) + 5, saturated: 5, 15, 127 (127 is 112 + 15), -128 + 15 = -113.
  EXPECT_THAT(output, ElementsAre(5, 15, 127, -113));
}

TEST(RescaleTest, PerChannelUsesTheLastDimension) {
  // Channel 0: x * 1, channel 1: x / 4, channel 2: x * 3 (multiplier 3 * 2^28, shift 28).
  const Scale scale{{1 << 30, 1 << 30, 3 << 28}, {}, {30, 32, 28}};
  RescaleParams p = MakeParams(scale, 6);
  p.per_channel = true;
  const std::vector<int32_t> input = {7, 7, 7, -6, -6, -6};
  std::vector<int16_t> output(6);
  ASSERT_EQ(Rescale(p, input.data(), output.data()), KernelStatus::kOk);
  // 7/4 = 1.75 -> 2; -6/4 = -1.5 -> -1.
  EXPECT_THAT(output, ElementsAre(7, 2, 21, -6, -1, -18));
}

TEST(RescaleTest, Scale16UsesInt16Multiplier) {
  const Scale scale{{}, {1 << 14}, {15}};  // 1/2 through apply_scale_16
  const std::vector<int16_t> input = {3, -3, 32767, -32768};
  std::vector<int32_t> output(4);
  ASSERT_EQ(Rescale(MakeParams(scale, 4, /*scale32=*/false), input.data(), output.data()),
            KernelStatus::kOk);
  EXPECT_THAT(output, ElementsAre(2, -1, 16384, -16384));
}

TEST(RescaleTest, Int48InputWithScale16) {
  const Scale scale{{}, {1 << 14}, {30}};  // divide by 2^16
  const std::vector<int64_t> input = {kInt48Min, int64_t{1} << 40, -(int64_t{3} << 15),
                                      int64_t{1} << 15};
  std::vector<int32_t> output(4);
  ASSERT_EQ(Rescale(MakeParams(scale, 4, false), input.data(), output.data()), KernelStatus::kOk);
  // -2^31, 2^24, -1.5 -> -1, 0.5 -> 1.
  EXPECT_THAT(output, ElementsAre(INT32_MIN, 1 << 24, -1, 1));
}

TEST(RescaleTest, DoubleRoundDiffersFromSingleRound) {
  const Scale scale{{1 << 30}, {}, {32}};  // divide by 4
  const std::vector<int32_t> input = {1, -18, -14, 2, -2};
  std::vector<int32_t> single(5), twice(5);
  RescaleParams p = MakeParams(scale, 5);
  ASSERT_EQ(Rescale(p, input.data(), single.data()), KernelStatus::kOk);
  p.rounding_mode = RoundingMode::kDoubleRound;
  ASSERT_EQ(Rescale(p, input.data(), twice.data()), KernelStatus::kOk);
  EXPECT_THAT(single, ElementsAre(0, -4, -3, 1, 0));
  EXPECT_THAT(twice, ElementsAre(1, -5, -4, 1, -1));
  // INEXACT_ROUND is computed exactly, as single rounding.
  std::vector<int32_t> inexact(5);
  p.rounding_mode = RoundingMode::kInexactRound;
  ASSERT_EQ(Rescale(p, input.data(), inexact.data()), KernelStatus::kOk);
  EXPECT_EQ(inexact, single);
}

TEST(RescaleTest, UnsignedInt8Input) {
  const Scale scale{{1 << 30}, {}, {30}};
  RescaleParams p = MakeParams(scale, 4);
  p.input_unsigned = true;
  p.input_zp = 128;  // may also be given as its int8 storage, -128
  // Stored int8 -56 is uint8 200; 255 is stored as -1.
  const std::vector<int8_t> input = {-56, 0, -1, 127};
  std::vector<int8_t> output(4);
  ASSERT_EQ(Rescale(p, input.data(), output.data()), KernelStatus::kOk);
  EXPECT_THAT(output, ElementsAre(72, -128, 127, -1));
  p.input_zp = -128;
  std::vector<int8_t> output2(4);
  ASSERT_EQ(Rescale(p, input.data(), output2.data()), KernelStatus::kOk);
  EXPECT_EQ(output2, output);
}

TEST(RescaleTest, UnsignedInt8OutputSaturatesTo0And255) {
  const Scale scale{{1 << 30}, {}, {30}};
  RescaleParams p = MakeParams(scale, 5);
  p.output_unsigned = true;
  p.output_zp = 128;
  const std::vector<int8_t> input = {-128, -5, 0, 100, 127};
  std::vector<int8_t> output(5);
  ASSERT_EQ(Rescale(p, input.data(), output.data()), KernelStatus::kOk);
  // 0, 123, 128, 228, 255 stored in int8 storage.
  EXPECT_THAT(output, ElementsAre(0, 123, static_cast<int8_t>(128), static_cast<int8_t>(228),
                                  static_cast<int8_t>(255)));
  // Scaling by 4 pushes values past both ends of [0, 255].
  const Scale times4{{1 << 30}, {}, {28}};
  RescaleParams p4 = MakeParams(times4, 5);
  p4.output_unsigned = true;
  p4.output_zp = 128;
  ASSERT_EQ(Rescale(p4, input.data(), output.data()), KernelStatus::kOk);
  EXPECT_THAT(output, ElementsAre(0, 108, static_cast<int8_t>(128), static_cast<int8_t>(255),
                                  static_cast<int8_t>(255)));
}

TEST(RescaleTest, UnsignedInt16ZeroPoint32768) {
  const Scale scale{{1 << 30}, {}, {30}};
  RescaleParams p = MakeParams(scale, 3);
  p.input_unsigned = true;
  p.input_zp = -32768;                                 // the int16 storage of 32768
  const std::vector<int16_t> input = {0, -32768, -1};  // uint16 0, 32768, 65535
  std::vector<int16_t> output(3);
  ASSERT_EQ(Rescale(p, input.data(), output.data()), KernelStatus::kOk);
  EXPECT_THAT(output, ElementsAre(-32768, 0, 32767));
}

TEST(RescaleTest, ErrorIfConditionsAreInvalidArgument) {
  const Scale scale{{1 << 30}, {1 << 14}, {30}};
  const int32_t in32 = 0;
  const int16_t in16 = 0;
  const int64_t in48 = 0;
  int8_t out8 = 0;
  int32_t out32 = 0;
  RescaleParams p = MakeParams(scale, 1);
  p.input_zp = 1;  // only int8 (or uint16) inputs may have a zero point
  EXPECT_EQ(Rescale(p, &in32, &out8), KernelStatus::kInvalidArgument);
  p = MakeParams(scale, 1);
  p.output_zp = 1;  // int32 outputs may not
  EXPECT_EQ(Rescale(p, &in16, &out32), KernelStatus::kInvalidArgument);
  p = MakeParams(scale, 1);
  p.input_unsigned = true;
  p.input_zp = 5;  // uint16 zero point must be 0 or 32768
  EXPECT_EQ(Rescale(p, &in16, &out8), KernelStatus::kInvalidArgument);
  p = MakeParams(scale, 1);
  EXPECT_EQ(Rescale(p, &in48, &out8), KernelStatus::kInvalidArgument);  // scale32 with int48
  p = MakeParams(scale, 1, /*scale32=*/false);
  p.rounding_mode = RoundingMode::kDoubleRound;
  EXPECT_EQ(Rescale(p, &in16, &out8), KernelStatus::kInvalidArgument);
  p = MakeParams(scale, 1);
  p.input_unsigned = p.output_unsigned = true;
  EXPECT_EQ(Rescale(p, &in16, &out8), KernelStatus::kInvalidArgument);
  p = MakeParams(scale, 1);
  p.input_unsigned = true;
  EXPECT_EQ(Rescale(p, &in16, &out32), KernelStatus::kInvalidArgument);
  p = MakeParams(scale, 1);
  p.output_unsigned = true;
  EXPECT_EQ(Rescale(p, &in32, &out8), KernelStatus::kInvalidArgument);
}

TEST(RescaleTest, RequireViolationsAreUnpredictable) {
  const int32_t input = 1;
  int8_t output = 0;
  const Scale bad_shift{{1 << 30}, {}, {1}};
  EXPECT_EQ(Rescale(MakeParams(bad_shift, 1), &input, &output), KernelStatus::kUnpredictable);
  const Scale negative{{-1}, {}, {30}};
  EXPECT_EQ(Rescale(MakeParams(negative, 1), &input, &output), KernelStatus::kUnpredictable);
  // apply_scale_32 requires |value| < 2^(shift - 1).
  const Scale small_shift{{1 << 30}, {}, {10}};
  const int32_t big = 1 << 12;
  EXPECT_EQ(Rescale(MakeParams(small_shift, 1), &big, &output), KernelStatus::kUnpredictable);
}

// Independent formulation: round(value * multiplier / 2^shift) half up is
// floor((2 * value * multiplier + 2^shift) / 2^(shift + 1)), evaluated in 128 bits.
int64_t RoundHalfUp(int64_t value, int64_t multiplier, int shift) {
  const __int128 numerator = static_cast<__int128>(value) * multiplier * 2 + (__int128{1} << shift);
  const __int128 denominator = __int128{1} << (shift + 1);
  __int128 q = numerator / denominator;
  if (numerator % denominator != 0 && numerator < 0) --q;  // floor, not truncation
  return static_cast<int64_t>(q);
}

TEST(RescaleTest, RandomPerChannelInt32ToInt8MatchesExactRounding) {
  TestRng rng(41);
  constexpr int kChannels = 5;
  Scale scale;
  for (int c = 0; c < kChannels; ++c) {
    scale.multiplier32.push_back(static_cast<int32_t>(rng.Int(1 << 30, INT32_MAX)));
    scale.shift.push_back(static_cast<int8_t>(rng.Int(32, 45)));
  }
  constexpr int kRows = 400;
  std::vector<int32_t> input(kRows * kChannels);
  for (int32_t& v : input) v = static_cast<int32_t>(rng.Int(-(1 << 24), 1 << 24));
  RescaleParams p = MakeParams(scale, input.size());
  p.per_channel = true;
  p.output_zp = -3;
  std::vector<int8_t> output(input.size());
  ASSERT_EQ(Rescale(p, input.data(), output.data()), KernelStatus::kOk);
  std::vector<int8_t> expected;
  for (size_t i = 0; i < input.size(); ++i) {
    const int c = static_cast<int>(i % kChannels);
    int64_t v = RoundHalfUp(input[i], scale.multiplier32[c], scale.shift[c]) - 3;
    v = v < -128 ? -128 : (v > 127 ? 127 : v);
    expected.push_back(static_cast<int8_t>(v));
  }
  EXPECT_THAT(output, ElementsAreArray(expected));
}

}  // namespace
}  // namespace inferd::cpu::kernels
