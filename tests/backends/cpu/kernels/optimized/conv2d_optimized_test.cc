// The optimised CONV2D against the reference kernel on random shapes: equal bit for bit for INT8
// (statuses too), within the dot-product bound for FP32.
#include "backends/cpu/kernels/optimized/conv2d_optimized.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "backends/cpu/kernels/conv2d.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

Conv2dParams RandomConv2d(std::mt19937& rng) {
  Conv2dParams p;
  p.batch = RandomInt(rng, 1, 2);
  p.input_channels = RandomInt(rng, 0, 3) == 0 ? RandomInt(rng, 17, 70) : RandomInt(rng, 1, 9);
  p.output_channels = RandomInt(rng, 1, 40);
  p.kernel_height = RandomInt(rng, 1, 4);
  p.kernel_width = RandomInt(rng, 1, 4);
  p.stride_y = RandomInt(rng, 1, 3);
  p.stride_x = RandomInt(rng, 1, 3);
  p.dilation_y = RandomInt(rng, 1, 2);
  p.dilation_x = RandomInt(rng, 1, 2);
  p.pad_top = RandomInt(rng, 0, 2);
  p.pad_left = RandomInt(rng, 0, 2);
  const int32_t out_h = RandomInt(rng, 1, 7);
  const int32_t out_w = RandomInt(rng, 1, 7);
  // Choose the bottom/right padding (0..stride-1 beyond what is needed) so the output size is
  // exact.
  const int32_t extent_y = (p.kernel_height - 1) * p.dilation_y + 1;
  const int32_t extent_x = (p.kernel_width - 1) * p.dilation_x + 1;
  const int32_t span_y = (out_h - 1) * p.stride_y + extent_y;
  const int32_t span_x = (out_w - 1) * p.stride_x + extent_x;
  p.input_height = std::max(1, span_y - p.pad_top - RandomInt(rng, 0, 1));
  p.input_width = std::max(1, span_x - p.pad_left - RandomInt(rng, 0, 1));
  p.pad_bottom = span_y - p.pad_top - p.input_height;
  p.pad_right = span_x - p.pad_left - p.input_width;
  if (p.pad_bottom < 0) {
    p.pad_top += p.pad_bottom;  // less padding on top instead
    p.pad_bottom = 0;
  }
  if (p.pad_right < 0) {
    p.pad_left += p.pad_right;
    p.pad_right = 0;
  }
  p.output_height = out_h;
  p.output_width = out_w;
  p.bias_size = RandomInt(rng, 0, 1) ? p.output_channels : 1;
  return p;
}

int64_t InputCount(const Conv2dParams& p) {
  return static_cast<int64_t>(p.batch) * p.input_height * p.input_width * p.input_channels;
}
int64_t WeightCount(const Conv2dParams& p) {
  return static_cast<int64_t>(p.output_channels) * p.kernel_height * p.kernel_width *
         p.input_channels;
}
int64_t OutputCount(const Conv2dParams& p) {
  return static_cast<int64_t>(p.batch) * p.output_height * p.output_width * p.output_channels;
}

class Conv2dOptimizedTest : public ::testing::TestWithParam<const TileKernels*> {};

TEST_P(Conv2dOptimizedTest, Int8MatchesReferenceExactly) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 300; ++trial) {
    Conv2dParams p = RandomConv2d(rng);
    p.input_zp = RandomInt(rng, 0, 2) == 0 ? 0 : RandomInt(rng, -128, 127);
    p.weight_zp = RandomInt(rng, 0, 2) == 0 ? 0 : RandomInt(rng, -128, 127);
    const auto input = RandomInt8(rng, InputCount(p));
    const auto weight = RandomInt8(rng, WeightCount(p));
    const auto bias = RandomBias(rng, p.bias_size);
    ASSERT_TRUE(Conv2dInt8Supported(p));
    std::vector<int32_t> expected(OutputCount(p)), actual(OutputCount(p), -7);
    const KernelStatus want =
        Conv2dInt8(p, input.data(), weight.data(), bias.data(), expected.data());
    const PackedInt8Matrix packed =
        PackConv2dInt8Weights(*GetParam(), p, weight.data(), p.weight_zp);
    const KernelStatus got =
        Conv2dInt8Optimized(*GetParam(), p, packed, input.data(), bias.data(), actual.data());
    ASSERT_EQ(got, want) << "trial " << trial;
    ASSERT_EQ(actual, expected) << "trial " << trial;
  }
}

// Weights with zero point 0 take the quad form where the table has a quad tile (AVX-512 VNNI):
// extreme input zero points (the start values' largest magnitudes), depths that are not whole
// quads, and a deep kernel.
TEST_P(Conv2dOptimizedTest, Int8QuadFormMatchesReferenceExactly) {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 60; ++trial) {
    Conv2dParams p = RandomConv2d(rng);
    if (trial % 10 == 9) p.input_channels = RandomInt(rng, 250, 300);
    const int32_t zero_points[] = {-128, 127, 0, RandomInt(rng, -128, 127)};
    p.input_zp = zero_points[trial % 4];
    p.weight_zp = 0;
    const auto input = RandomInt8(rng, InputCount(p));
    auto weight = RandomInt8(rng, WeightCount(p));
    if (trial % 5 == 0) std::fill(weight.begin(), weight.end(), int8_t{-128});
    const auto bias = RandomBias(rng, p.bias_size);
    std::vector<int32_t> expected(OutputCount(p)), actual(OutputCount(p), -7);
    const KernelStatus want =
        Conv2dInt8(p, input.data(), weight.data(), bias.data(), expected.data());
    const PackedInt8Matrix packed = PackConv2dInt8Weights(*GetParam(), p, weight.data(), 0);
    ASSERT_EQ(packed.quad_form(), GetParam()->int8_quad_tile != nullptr);
    const KernelStatus got =
        Conv2dInt8Optimized(*GetParam(), p, packed, input.data(), bias.data(), actual.data());
    ASSERT_EQ(got, want) << "trial " << trial;
    ASSERT_EQ(actual, expected) << "trial " << trial;
  }
}

TEST_P(Conv2dOptimizedTest, Int8ReportsBiasOverflowLikeReference) {
  Conv2dParams p;
  p.input_height = p.input_width = 3;
  p.input_channels = 4;
  p.output_channels = 20;
  p.kernel_height = p.kernel_width = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.output_height = p.output_width = 3;
  p.bias_size = 20;
  p.input_zp = -128;
  std::vector<int8_t> input(36, 127), weight(20 * 36, 127);
  std::vector<int32_t> bias(20, INT32_MAX - 1000);
  bias[3] = 5;
  std::vector<int32_t> expected(180), actual(180);
  ASSERT_EQ(Conv2dInt8(p, input.data(), weight.data(), bias.data(), expected.data()),
            KernelStatus::kUnpredictable);
  const PackedInt8Matrix packed = PackConv2dInt8Weights(*GetParam(), p, weight.data(), 0);
  EXPECT_EQ(Conv2dInt8Optimized(*GetParam(), p, packed, input.data(), bias.data(), actual.data()),
            KernelStatus::kUnpredictable);
  EXPECT_EQ(actual, expected);
}

TEST_P(Conv2dOptimizedTest, Fp32WithinDotProductBound) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 300; ++trial) {
    const Conv2dParams p = RandomConv2d(rng);
    const auto input = RandomFloat(rng, InputCount(p));
    const auto weight = RandomFloat(rng, WeightCount(p));
    const auto bias = RandomFloat(rng, p.bias_size);
    std::vector<float> expected(OutputCount(p)), actual(OutputCount(p));
    Conv2dFp32(p, input.data(), weight.data(), bias.data(), expected.data());
    // Sum of |products| per output: the same convolution of absolute values.
    std::vector<float> abs_input(input), abs_weight(weight), abs_bias(bias), abs_sum(expected);
    for (auto& v : abs_input) v = std::fabs(v);
    for (auto& v : abs_weight) v = std::fabs(v);
    for (auto& v : abs_bias) v = std::fabs(v);
    Conv2dFp32(p, abs_input.data(), abs_weight.data(), abs_bias.data(), abs_sum.data());
    const PackedFp32Matrix packed = PackConv2dFp32Weights(p, weight.data());
    Conv2dFp32Optimized(*GetParam(), p, packed, input.data(), bias.data(), actual.data());
    const int64_t depth = static_cast<int64_t>(p.kernel_height) * p.kernel_width * p.input_channels;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_NEAR(actual[i], expected[i], 2 * DotProductTolerance(depth, abs_sum[i]))
          << "trial " << trial << " output " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, Conv2dOptimizedTest, ::testing::ValuesIn(RunnableTileKernels()),
                         [](const auto& info) { return TableName(info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conv2dOptimizedTest);

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
