// The optimised TRANSPOSE_CONV2D against the reference kernel on random geometries (strides,
// cropping and extending pads, both bias sizes): INT8 bit for bit with zero points, FP32 within
// the dot-product bound, and a bias near the int32 limit handed back to the reference.
#include "backends/cpu/kernels/optimized/transpose_conv2d_optimized.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "backends/cpu/kernels/transpose_conv2d.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

TransposeConv2dParams RandomTransposeConv2d(std::mt19937& rng) {
  TransposeConv2dParams p;
  p.batch = RandomInt(rng, 1, 2);
  p.input_height = RandomInt(rng, 1, 6);
  p.input_width = RandomInt(rng, 1, 7);
  p.input_channels = RandomInt(rng, 0, 3) == 0 ? RandomInt(rng, 17, 70) : RandomInt(rng, 1, 9);
  p.output_channels = RandomInt(rng, 1, 40);
  p.kernel_height = RandomInt(rng, 1, 4);
  p.kernel_width = RandomInt(rng, 1, 4);
  p.stride_y = RandomInt(rng, 1, 3);
  p.stride_x = RandomInt(rng, 1, 3);
  // Negative pads crop the full output, positive ones extend it with bias-only pixels.
  p.out_pad_top = RandomInt(rng, 1 - p.kernel_height, 2);
  p.out_pad_bottom = RandomInt(rng, 1 - p.kernel_height, 2);
  p.out_pad_left = RandomInt(rng, 1 - p.kernel_width, 2);
  p.out_pad_right = RandomInt(rng, 1 - p.kernel_width, 2);
  p.output_height =
      (p.input_height - 1) * p.stride_y + p.out_pad_top + p.out_pad_bottom + p.kernel_height;
  p.output_width =
      (p.input_width - 1) * p.stride_x + p.out_pad_left + p.out_pad_right + p.kernel_width;
  p.bias_size = RandomInt(rng, 0, 1) ? p.output_channels : 1;
  // Cropping may leave nothing: draw again.
  if (p.output_height < 1 || p.output_width < 1) return RandomTransposeConv2d(rng);
  return p;
}

int64_t InputCount(const TransposeConv2dParams& p) {
  return int64_t{p.batch} * p.input_height * p.input_width * p.input_channels;
}
int64_t WeightCount(const TransposeConv2dParams& p) {
  return int64_t{p.output_channels} * p.kernel_height * p.kernel_width * p.input_channels;
}
int64_t OutputCount(const TransposeConv2dParams& p) {
  return int64_t{p.batch} * p.output_height * p.output_width * p.output_channels;
}

class TransposeConv2dOptimizedTest : public ::testing::TestWithParam<const TileKernels*> {};

TEST_P(TransposeConv2dOptimizedTest, Int8BitExactWithZeroPoints) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    TransposeConv2dParams p = RandomTransposeConv2d(rng);
    p.input_zp = RandomInt(rng, -128, 127);
    p.weight_zp = RandomInt(rng, -128, 127);
    ASSERT_TRUE(TransposeConv2dInt8Supported(p));
    const auto input = RandomInt8(rng, InputCount(p));
    const auto weight = RandomInt8(rng, WeightCount(p));
    const auto bias = RandomBias(rng, p.bias_size);
    std::vector<int32_t> expected(OutputCount(p)), actual(OutputCount(p), 12345);
    ASSERT_EQ(TransposeConv2dInt8(p, input.data(), weight.data(), bias.data(), expected.data()),
              KernelStatus::kOk);
    const PackedInt8Matrix packed =
        PackTransposeConv2dInt8Weights(*GetParam(), p, weight.data(), p.weight_zp);
    std::vector<int32_t> scratch(TransposeConv2dScratchElements(p));
    ASSERT_EQ(TransposeConv2dInt8Optimized(*GetParam(), p, packed, input.data(), bias.data(),
                                           scratch.data(), actual.data()),
              KernelStatus::kOk);
    ASSERT_EQ(actual, expected) << "trial " << trial;
  }
}

TEST_P(TransposeConv2dOptimizedTest, Int8LeavesABiasNearTheLimitToTheReference) {
  TransposeConv2dParams p;
  p.input_channels = 3;
  p.output_channels = 2;
  p.output_height = p.output_width = 1;
  p.bias_size = 2;
  const std::vector<int8_t> input(3, 1), weight(6, 1);
  const std::vector<int32_t> bias = {INT32_MAX - 1, 0};
  const PackedInt8Matrix packed = PackTransposeConv2dInt8Weights(*GetParam(), p, weight.data(), 0);
  std::vector<int32_t> scratch(TransposeConv2dScratchElements(p)), output(2);
  EXPECT_EQ(TransposeConv2dInt8Optimized(*GetParam(), p, packed, input.data(), bias.data(),
                                         scratch.data(), output.data()),
            KernelStatus::kUnpredictable);
  // The reference, which the binding then runs, finds the overflow.
  EXPECT_EQ(TransposeConv2dInt8(p, input.data(), weight.data(), bias.data(), output.data()),
            KernelStatus::kUnpredictable);
}

TEST_P(TransposeConv2dOptimizedTest, Fp32WithinDotProductBound) {
  std::mt19937 rng(8);
  for (int trial = 0; trial < 300; ++trial) {
    const TransposeConv2dParams p = RandomTransposeConv2d(rng);
    const auto input = RandomFloat(rng, InputCount(p));
    const auto weight = RandomFloat(rng, WeightCount(p));
    const auto bias = RandomFloat(rng, p.bias_size);
    std::vector<float> expected(OutputCount(p)), actual(OutputCount(p));
    TransposeConv2dFp32(p, input.data(), weight.data(), bias.data(), expected.data());
    // Sum of |products| per output: the same operator on absolute values.
    std::vector<float> abs_input(input), abs_weight(weight), abs_bias(bias), abs_sum(expected);
    for (auto& v : abs_input) v = std::fabs(v);
    for (auto& v : abs_weight) v = std::fabs(v);
    for (auto& v : abs_bias) v = std::fabs(v);
    TransposeConv2dFp32(p, abs_input.data(), abs_weight.data(), abs_bias.data(), abs_sum.data());
    const PackedFp32Matrix packed = PackTransposeConv2dFp32Weights(p, weight.data());
    std::vector<float> scratch(TransposeConv2dScratchElements(p));
    TransposeConv2dFp32Optimized(*GetParam(), p, packed, input.data(), bias.data(), scratch.data(),
                                 actual.data());
    const int64_t depth = int64_t{p.kernel_height} * p.kernel_width * p.input_channels;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_NEAR(actual[i], expected[i], 2 * DotProductTolerance(depth, abs_sum[i]))
          << "trial " << trial << " output " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, TransposeConv2dOptimizedTest,
                         ::testing::ValuesIn(RunnableTileKernels()),
                         [](const auto& info) { return TableName(info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TransposeConv2dOptimizedTest);

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
