// The optimised DEPTHWISE_CONV2D against the reference kernel on random shapes: equal bit for bit
// for INT8 (statuses too), within the dot-product bound for FP32.
#include "backends/cpu/kernels/optimized/depthwise_conv2d_optimized.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "backends/cpu/kernels/depthwise_conv2d.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

DepthwiseConv2dParams RandomDepthwise(std::mt19937& rng) {
  DepthwiseConv2dParams p;
  p.batch = RandomInt(rng, 1, 2);
  // Channel counts around the 16-lane blocks and their scalar tails.
  p.channels = RandomInt(rng, 0, 1)
                   ? RandomInt(rng, 1, 20)
                   : 16 * RandomInt(rng, 1, 4) + RandomInt(rng, 0, 1) * RandomInt(rng, 1, 15);
  p.multiplier = 1;
  p.kernel_height = RandomInt(rng, 1, 5);
  p.kernel_width = RandomInt(rng, 1, 5);
  p.stride_y = RandomInt(rng, 1, 3);
  p.stride_x = RandomInt(rng, 1, 3);
  p.dilation_y = RandomInt(rng, 1, 2);
  p.dilation_x = RandomInt(rng, 1, 2);
  p.pad_top = RandomInt(rng, 0, 2);
  p.pad_left = RandomInt(rng, 0, 2);
  p.output_height = RandomInt(rng, 1, 7);
  p.output_width = RandomInt(rng, 1, 7);
  const int32_t span_y =
      (p.output_height - 1) * p.stride_y + (p.kernel_height - 1) * p.dilation_y + 1;
  const int32_t span_x =
      (p.output_width - 1) * p.stride_x + (p.kernel_width - 1) * p.dilation_x + 1;
  p.input_height = std::max(1, span_y - p.pad_top - RandomInt(rng, 0, 1));
  p.input_width = std::max(1, span_x - p.pad_left - RandomInt(rng, 0, 1));
  p.pad_bottom = span_y - p.pad_top - p.input_height;
  p.pad_right = span_x - p.pad_left - p.input_width;
  if (p.pad_bottom < 0) {
    p.pad_top += p.pad_bottom;
    p.pad_bottom = 0;
  }
  if (p.pad_right < 0) {
    p.pad_left += p.pad_right;
    p.pad_right = 0;
  }
  p.bias_size = RandomInt(rng, 0, 1) ? p.channels : 1;
  return p;
}

int64_t InputCount(const DepthwiseConv2dParams& p) {
  return static_cast<int64_t>(p.batch) * p.input_height * p.input_width * p.channels;
}
int64_t WeightCount(const DepthwiseConv2dParams& p) {
  return static_cast<int64_t>(p.kernel_height) * p.kernel_width * p.channels;
}
int64_t OutputCount(const DepthwiseConv2dParams& p) {
  return static_cast<int64_t>(p.batch) * p.output_height * p.output_width * p.channels;
}

class DepthwiseConv2dOptimizedTest : public ::testing::TestWithParam<const TileKernels*> {};

TEST_P(DepthwiseConv2dOptimizedTest, Int8MatchesReferenceExactly) {
  std::mt19937 rng(4321);
  for (int trial = 0; trial < 300; ++trial) {
    DepthwiseConv2dParams p = RandomDepthwise(rng);
    p.input_zp = RandomInt(rng, 0, 2) == 0 ? 0 : RandomInt(rng, -128, 127);
    p.weight_zp = RandomInt(rng, 0, 2) == 0 ? 0 : RandomInt(rng, -128, 127);
    ASSERT_TRUE(DepthwiseConv2dSupported(p));
    const auto input = RandomInt8(rng, InputCount(p));
    const auto weight = RandomInt8(rng, WeightCount(p));
    auto bias = RandomBias(rng, p.bias_size);
    if (trial % 10 == 0) bias[0] = INT32_MAX - RandomInt(rng, 0, 100000);  // overflow reports
    std::vector<int32_t> expected(OutputCount(p)), actual(OutputCount(p), -7);
    const KernelStatus want =
        DepthwiseConv2dInt8(p, input.data(), weight.data(), bias.data(), expected.data());
    const std::vector<int16_t> packed = PackDepthwiseInt8Weights(p, weight.data(), p.weight_zp);
    const KernelStatus got = DepthwiseConv2dInt8Optimized(*GetParam(), p, packed.data(),
                                                          input.data(), bias.data(), actual.data());
    ASSERT_EQ(got, want) << "trial " << trial;
    ASSERT_EQ(actual, expected) << "trial " << trial;
  }
}

TEST_P(DepthwiseConv2dOptimizedTest, Fp32WithinDotProductBound) {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 300; ++trial) {
    const DepthwiseConv2dParams p = RandomDepthwise(rng);
    const auto input = RandomFloat(rng, InputCount(p));
    const auto weight = RandomFloat(rng, WeightCount(p));
    const auto bias = RandomFloat(rng, p.bias_size);
    std::vector<float> expected(OutputCount(p)), actual(OutputCount(p));
    DepthwiseConv2dFp32(p, input.data(), weight.data(), bias.data(), expected.data());
    std::vector<float> abs_input(input), abs_weight(weight), abs_bias(bias), abs_sum(expected);
    for (auto& v : abs_input) v = std::fabs(v);
    for (auto& v : abs_weight) v = std::fabs(v);
    for (auto& v : abs_bias) v = std::fabs(v);
    DepthwiseConv2dFp32(p, abs_input.data(), abs_weight.data(), abs_bias.data(), abs_sum.data());
    DepthwiseConv2dFp32Optimized(*GetParam(), p, weight.data(), input.data(), bias.data(),
                                 actual.data());
    const int64_t depth = static_cast<int64_t>(p.kernel_height) * p.kernel_width;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_NEAR(actual[i], expected[i], 2 * DotProductTolerance(depth, abs_sum[i]))
          << "trial " << trial << " output " << i;
    }
  }
}

TEST(DepthwiseConv2dOptimizedSupport, OnlyMultiplierOneAndBoundedTaps) {
  DepthwiseConv2dParams p;
  p.kernel_height = p.kernel_width = 3;
  EXPECT_TRUE(DepthwiseConv2dSupported(p));
  p.multiplier = 2;
  EXPECT_FALSE(DepthwiseConv2dSupported(p));
  p.multiplier = 1;
  p.kernel_height = p.kernel_width = 9;
  EXPECT_FALSE(DepthwiseConv2dSupported(p));
}

INSTANTIATE_TEST_SUITE_P(Variants, DepthwiseConv2dOptimizedTest,
                         ::testing::ValuesIn(RunnableTileKernels()),
                         [](const auto& info) { return TableName(info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DepthwiseConv2dOptimizedTest);

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
