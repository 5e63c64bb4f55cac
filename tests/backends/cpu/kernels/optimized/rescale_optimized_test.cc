// The optimised RESCALE against the reference kernel over randomised attributes: every input /
// output type pair, scale32 and scale16, single and double rounding, per-tensor and per-channel,
// signed and unsigned views, valid and invalid zero points, and operands that break a REQUIRE.
// Statuses and every written byte must match.
#include "backends/cpu/kernels/optimized/rescale_optimized.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/kernels/optimized/cpu_features.h"
#include "backends/cpu/kernels/rescale.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

std::vector<const RescaleKernels*> RunnableRescaleKernels() {
  std::vector<const RescaleKernels*> tables;
  if (CpuHasAvx2Fma() && Avx2RescaleKernels() != nullptr) tables.push_back(Avx2RescaleKernels());
  if (CpuHasAvx512F() && Avx512RescaleKernels() != nullptr) {
    tables.push_back(Avx512RescaleKernels());
  }
  if (CpuHasNeon() && NeonRescaleKernels() != nullptr) tables.push_back(NeonRescaleKernels());
  return tables;
}

template <typename T>
constexpr int Bits() {
  return sizeof(T) == 8 ? 48 : static_cast<int>(sizeof(T) * 8);
}

// A value of T's range, often a small one so that small shifts stay within their REQUIRE.
template <typename T>
T RandomValue(std::mt19937& rng) {
  const int bits = RandomInt(rng, 1, Bits<T>());
  const int64_t limit = (int64_t{1} << (bits - 1)) - 1;
  std::uniform_int_distribution<int64_t> dist(-limit - 1, limit);
  return static_cast<T>(dist(rng));
}

template <typename T>
int32_t RandomZeroPoint(std::mt19937& rng, bool is_unsigned) {
  switch (RandomInt(rng, 0, 4)) {
    case 0:
      return 0;
    case 1:  // sometimes one the specification forbids for this type
      return RandomInt(rng, -200, 300);
    default:
      if (sizeof(T) == 1) return is_unsigned ? RandomInt(rng, 0, 255) : RandomInt(rng, -128, 127);
      if (sizeof(T) == 2 && is_unsigned) return RandomInt(rng, 0, 1) ? 32768 : 0;
      return 0;
  }
}

// Returns how many trials ran without error (so took the SIMD path end to end).
template <typename InT, typename OutT>
int CompareRandomRescales(const RescaleKernels& kernels, std::mt19937& rng, int trials) {
  int ok = 0;
  for (int trial = 0; trial < trials; ++trial) {
    RescaleParams p;
    p.per_channel = RandomInt(rng, 0, 1) == 1;
    p.channels = RandomInt(rng, 1, 40);
    const int64_t rows = RandomInt(rng, 1, 20);
    p.element_count = p.per_channel ? rows * p.channels : RandomInt(rng, 1, 300);
    p.scale32 = sizeof(InT) == 8 ? RandomInt(rng, 0, 7) == 0 : RandomInt(rng, 0, 3) != 0;
    p.rounding_mode = static_cast<RoundingMode>(RandomInt(rng, 0, 2));
    if (!p.scale32 && RandomInt(rng, 0, 7) != 0 && p.rounding_mode == RoundingMode::kDoubleRound) {
      p.rounding_mode = RoundingMode::kSingleRound;  // mostly valid combinations
    }
    const bool narrow_in = sizeof(InT) <= 2, narrow_out = sizeof(OutT) <= 2;
    p.input_unsigned = narrow_in && RandomInt(rng, 0, 3) == 0;
    p.output_unsigned = narrow_out && !p.input_unsigned && RandomInt(rng, 0, 3) == 0;
    if (RandomInt(rng, 0, 15) == 0) p.input_unsigned = p.output_unsigned = true;  // ERROR_IF
    p.input_zp = RandomZeroPoint<InT>(rng, p.input_unsigned);
    p.output_zp = RandomZeroPoint<OutT>(rng, p.output_unsigned);

    const int64_t params = p.per_channel ? p.channels : 1;
    std::vector<int32_t> multiplier32(params);
    std::vector<int16_t> multiplier16(params);
    std::vector<int8_t> shift(params);
    const bool break_require = RandomInt(rng, 0, 9) == 0;
    for (int64_t c = 0; c < params; ++c) {
      multiplier32[c] = RandomInt(rng, 0, 3) == 0 ? RandomInt(rng, 0, 1 << 20)
                                                  : RandomInt(rng, 1 << 30, INT32_MAX);
      multiplier16[c] = static_cast<int16_t>(RandomInt(rng, 0, 32767));
      // Realistic shifts mostly; now and then the ends of the range.
      shift[c] = static_cast<int8_t>(RandomInt(rng, 0, 3) == 0 ? RandomInt(rng, 2, 62)
                                                               : RandomInt(rng, 20, 45));
    }
    if (break_require) {
      const int64_t c = RandomInt(rng, 0, static_cast<int32_t>(params - 1));
      if (RandomInt(rng, 0, 1)) {
        shift[c] = static_cast<int8_t>(RandomInt(rng, 0, 1) ? 1 : 63);
      } else {
        multiplier32[c] = -5;
        multiplier16[c] = -5;
      }
    }
    p.multiplier32 = multiplier32.data();
    p.multiplier16 = multiplier16.data();
    p.shift = shift.data();

    std::vector<InT> input(p.element_count);
    for (auto& v : input) v = RandomValue<InT>(rng);
    std::vector<OutT> expected(p.element_count, OutT{7}), actual(p.element_count, OutT{7});
    const KernelStatus want = Rescale<InT, OutT>(p, input.data(), expected.data());
    const KernelStatus got = RescaleOptimized<InT, OutT>(kernels, p, input.data(), actual.data());
    EXPECT_EQ(got, want) << "trial " << trial;
    EXPECT_EQ(actual, expected) << "trial " << trial << " per_channel " << p.per_channel
                                << " scale32 " << p.scale32 << " rounding "
                                << static_cast<int>(p.rounding_mode);
    if (got != want || actual != expected) return -1;
    ok += want == KernelStatus::kOk;
  }
  return ok;
}

class RescaleOptimizedTest : public ::testing::TestWithParam<const RescaleKernels*> {};

TEST_P(RescaleOptimizedTest, EveryTypePairMatchesReference) {
  std::mt19937 rng(4242);
  const RescaleKernels& k = *GetParam();
  constexpr int kTrials = 400;
  // Each pair must also run the SIMD path often, not only the reference fallbacks.
  EXPECT_GT((CompareRandomRescales<int8_t, int8_t>(k, rng, kTrials)), kTrials / 8);
  EXPECT_GT((CompareRandomRescales<int8_t, int16_t>(k, rng, kTrials)), kTrials / 8);
  EXPECT_GT((CompareRandomRescales<int8_t, int32_t>(k, rng, kTrials)), kTrials / 8);
  EXPECT_GT((CompareRandomRescales<int16_t, int8_t>(k, rng, kTrials)), kTrials / 8);
  EXPECT_GT((CompareRandomRescales<int16_t, int16_t>(k, rng, kTrials)), kTrials / 8);
  EXPECT_GT((CompareRandomRescales<int16_t, int32_t>(k, rng, kTrials)), kTrials / 8);
  EXPECT_GT((CompareRandomRescales<int32_t, int8_t>(k, rng, kTrials)), kTrials / 8);
  EXPECT_GT((CompareRandomRescales<int32_t, int16_t>(k, rng, kTrials)), kTrials / 8);
  EXPECT_GT((CompareRandomRescales<int32_t, int32_t>(k, rng, kTrials)), kTrials / 8);
  // INT48 always runs the reference; the statuses and bytes must still agree.
  EXPECT_GE((CompareRandomRescales<int64_t, int8_t>(k, rng, kTrials / 4)), 0);
  EXPECT_GE((CompareRandomRescales<int64_t, int16_t>(k, rng, kTrials / 4)), 0);
  EXPECT_GE((CompareRandomRescales<int64_t, int32_t>(k, rng, kTrials / 4)), 0);
}

// The cases that matter most, pinned: a convolution accumulator requantised per channel with
// shifts around 40, and values at the edges of apply_scale_32's REQUIRE for small shifts.
TEST_P(RescaleOptimizedTest, AccumulatorRequantisationAndRequireEdges) {
  const RescaleKernels& k = *GetParam();
  for (int shift_value : {2, 5, 31, 32, 33, 40, 62}) {
    for (bool double_round : {false, true}) {
      RescaleParams p;
      p.per_channel = true;
      p.channels = 19;
      p.element_count = 19 * 3;
      std::vector<int32_t> multiplier(19, 1518500250);
      std::vector<int8_t> shift(19, static_cast<int8_t>(shift_value));
      p.multiplier32 = multiplier.data();
      p.shift = shift.data();
      p.output_zp = -128;
      p.rounding_mode = double_round ? RoundingMode::kDoubleRound : RoundingMode::kSingleRound;
      const int64_t half = int64_t{1} << (shift_value - 1);
      std::vector<int32_t> input(p.element_count);
      for (size_t i = 0; i < input.size(); ++i) {
        const int64_t edge = (i % 2 ? half - 1 : -half) + static_cast<int64_t>(i % 3 == 0);
        input[i] = static_cast<int32_t>(std::clamp<int64_t>(edge, INT32_MIN, INT32_MAX));
      }
      std::vector<int8_t> expected(input.size()), actual(input.size());
      const auto run = [&] {
        const KernelStatus want = Rescale<int32_t, int8_t>(p, input.data(), expected.data());
        return RescaleOptimized<int32_t, int8_t>(k, p, input.data(), actual.data()) == want;
      };
      ASSERT_TRUE(run()) << "shift " << shift_value;
      ASSERT_EQ(actual, expected) << "shift " << shift_value;
      input[7] = static_cast<int32_t>(std::clamp<int64_t>(half, INT32_MIN, INT32_MAX));
      ASSERT_TRUE(run()) << "shift " << shift_value;
      ASSERT_EQ(actual, expected) << "shift " << shift_value;
    }
  }
}

// Per-channel shifts all >= 33 (the 32-bit rounding path of the spans), with zero multipliers
// beside large ones, and accumulators of both signs including those whose product lands exactly
// on a rounding boundary (value * multiplier = (2k + 1) * 2^(shift-1), +-2^30 off for double
// rounding), where rounding half up and the double-rounding nudge decide the result.
TEST_P(RescaleOptimizedTest, PerChannelShiftsAbove32MatchReference) {
  const RescaleKernels& k = *GetParam();
  std::mt19937 rng(733);
  constexpr int64_t kChannels = 24;
  for (bool double_round : {false, true}) {
    for (int trial = 0; trial < 50; ++trial) {
      RescaleParams p;
      p.per_channel = true;
      p.channels = kChannels;
      p.element_count = kChannels * 5;
      p.output_zp = static_cast<int32_t>(RandomInt(rng, -128, 127));
      p.rounding_mode = double_round ? RoundingMode::kDoubleRound : RoundingMode::kSingleRound;
      std::vector<int32_t> multiplier(kChannels);
      std::vector<int8_t> shift(kChannels);
      for (int64_t c = 0; c < kChannels; ++c) {
        multiplier[c] = c % 7 == 3 ? 0 : RandomInt(rng, 1 << 30, INT32_MAX);
        shift[c] = static_cast<int8_t>(c % 5 == 0 ? 33 : RandomInt(rng, 33, 50));
      }
      p.multiplier32 = multiplier.data();
      p.shift = shift.data();
      std::vector<int32_t> input(p.element_count);
      for (int64_t i = 0; i < p.element_count; ++i) {
        const int64_t c = i % kChannels;
        if (i / kChannels == 0 && multiplier[c] != 0) {
          // The value whose product is nearest a rounding boundary, of a random sign.
          const int64_t half = int64_t{1} << (shift[c] - 1);
          const int64_t target = (2 * RandomInt(rng, -50, 50) + 1) * half;
          input[i] = static_cast<int32_t>(
              std::clamp<int64_t>(target / multiplier[c], INT32_MIN, INT32_MAX));
        } else {
          input[i] = RandomInt(rng, INT32_MIN, INT32_MAX) >> RandomInt(rng, 0, 24);
        }
      }
      std::vector<int8_t> expected(input.size(), 7), actual(input.size(), 7);
      const KernelStatus want = Rescale<int32_t, int8_t>(p, input.data(), expected.data());
      const KernelStatus got = RescaleOptimized<int32_t, int8_t>(k, p, input.data(), actual.data());
      ASSERT_EQ(got, want);
      ASSERT_EQ(actual, expected) << "trial " << trial << " double_round " << double_round;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, RescaleOptimizedTest,
                         ::testing::ValuesIn(RunnableRescaleKernels()),
                         [](const auto& info) { return std::string(info.param->name); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RescaleOptimizedTest);

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
