// The vectorised FP32 CLAMP against the reference kernel, bit for bit: NaN inputs under both NaN
// modes, signed zeros at the bounds, infinities, and lengths that leave a scalar tail.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "backends/cpu/kernels/clamp.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

std::vector<uint32_t> Bits(const std::vector<float>& values) {
  std::vector<uint32_t> bits(values.size());
  std::memcpy(bits.data(), values.data(), values.size() * sizeof(float));
  return bits;
}

class ClampOptimizedTest : public ::testing::TestWithParam<const TileKernels*> {};

TEST_P(ClampOptimizedTest, Fp32MatchesReferenceBitForBit) {
  std::mt19937 rng(31);
  const float specials[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::quiet_NaN(),
                            -std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            6.0f,
                            -1.0f};
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t count = RandomInt(rng, 1, 70);
    std::vector<float> input = RandomFloat(rng, count);
    for (auto& v : input) {
      if (RandomInt(rng, 0, 3) == 0) v = specials[RandomInt(rng, 0, 7)];
    }
    const float bounds[][2] = {{0.0f, 6.0f}, {-0.0f, 0.0f}, {-1.0f, 1.0f}, {0.0f, -0.0f}};
    const auto& b = bounds[RandomInt(rng, 0, 3)];
    for (const NanMode mode : {NanMode::kPropagate, NanMode::kIgnore}) {
      std::vector<float> expected(count), actual(count);
      ClampFp32(input.data(), expected.data(), count, b[0], b[1], mode);
      GetParam()->clamp_fp32(input.data(), actual.data(), count, b[0], b[1],
                             mode == NanMode::kPropagate);
      ASSERT_EQ(Bits(actual), Bits(expected)) << "trial " << trial;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, ClampOptimizedTest, ::testing::ValuesIn(RunnableTileKernels()),
                         [](const auto& info) { return TableName(info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ClampOptimizedTest);

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
