#include "backends/cpu/kernels/conv2d.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using test_util::RandomFloats;
using test_util::RandomInts;
using ::testing::ElementsAre;

// The specification's CONV2D loop written out plainly with 4-D indexing and an int64 / double
// accumulator, independent of the kernel's pointer arithmetic.
template <typename InT, typename WeightT, typename BiasT, typename AccT>
std::vector<AccT> NaiveConv2d(const Conv2dParams& p, const std::vector<InT>& input,
                              const std::vector<WeightT>& weight, const std::vector<BiasT>& bias) {
  auto in_at = [&](int n, int y, int x, int c) {
    return input[((n * p.input_height + y) * p.input_width + x) * p.input_channels + c];
  };
  auto w_at = [&](int oc, int ky, int kx, int ic) {
    return weight[((oc * p.kernel_height + ky) * p.kernel_width + kx) * p.input_channels + ic];
  };
  std::vector<AccT> out;
  for (int n = 0; n < p.batch; ++n) {
    for (int oy = 0; oy < p.output_height; ++oy) {
      for (int ox = 0; ox < p.output_width; ++ox) {
        for (int oc = 0; oc < p.output_channels; ++oc) {
          AccT acc = 0;
          for (int ky = 0; ky < p.kernel_height; ++ky) {
            for (int kx = 0; kx < p.kernel_width; ++kx) {
              for (int ic = 0; ic < p.input_channels; ++ic) {
                const int y = oy * p.stride_y - p.pad_top + ky * p.dilation_y;
                const int x = ox * p.stride_x - p.pad_left + kx * p.dilation_x;
                if (y < 0 || y >= p.input_height || x < 0 || x >= p.input_width) continue;
                acc += (static_cast<AccT>(in_at(n, y, x, ic)) - static_cast<AccT>(p.input_zp)) *
                       (static_cast<AccT>(w_at(oc, ky, kx, ic)) - static_cast<AccT>(p.weight_zp));
              }
            }
          }
          out.push_back(acc + static_cast<AccT>(bias[p.bias_size == 1 ? 0 : oc]));
        }
      }
    }
  }
  return out;
}

TEST(Conv2dInt8Test, HandComputed3x3WithZeroPointsAndPadding) {
  Conv2dParams p;
  p.input_height = p.input_width = 3;
  p.output_height = p.output_width = 3;
  p.kernel_height = p.kernel_width = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.input_zp = 1;   // inputs 1..9 become 0..8
  p.weight_zp = 1;  // weights 2 become 1
  const std::vector<int8_t> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<int8_t> weight(9, 2);
  const std::vector<int32_t> bias = {10};
  std::vector<int32_t> output(9);
  ASSERT_EQ(Conv2dInt8(p, input.data(), weight.data(), bias.data(), output.data()),
            KernelStatus::kOk);
  // Each output is 10 plus the sum of the (value - 1) neighbourhood, padding contributing nothing.
  EXPECT_THAT(output, ElementsAre(18, 25, 22, 31, 46, 37, 30, 43, 34));
}

Conv2dParams StridedDilatedParams() {
  Conv2dParams p;
  p.batch = 2;
  p.input_height = 7;
  p.input_width = 6;
  p.input_channels = 5;
  p.output_channels = 4;
  p.kernel_height = 3;
  p.kernel_width = 3;
  p.pad_top = 1;
  p.pad_bottom = 1;
  p.pad_left = 0;
  p.pad_right = 1;
  p.stride_y = 2;
  p.stride_x = 1;
  p.dilation_y = 1;
  p.dilation_x = 2;
  // (7 - 1 + 2 - 2 * 1) / 2 + 1 and (6 - 1 + 1 - 2 * 2) / 1 + 1.
  p.output_height = 4;
  p.output_width = 3;
  return p;
}

TEST(Conv2dInt8Test, MatchesNaiveLoopWithStrideDilationAndPerChannelBias) {
  Conv2dParams p = StridedDilatedParams();
  p.input_zp = -3;
  p.weight_zp = 5;
  p.bias_size = p.output_channels;
  const auto input = RandomInts<int8_t>(2 * 7 * 6 * 5, -128, 127, 1);
  const auto weight = RandomInts<int8_t>(4 * 3 * 3 * 5, -128, 127, 2);
  const auto bias = RandomInts<int32_t>(4, -100000, 100000, 3);
  std::vector<int32_t> output(2 * 4 * 3 * 4);
  ASSERT_EQ(Conv2dInt8(p, input.data(), weight.data(), bias.data(), output.data()),
            KernelStatus::kOk);
  const auto expected = NaiveConv2d<int8_t, int8_t, int32_t, int64_t>(p, input, weight, bias);
  ASSERT_EQ(output.size(), expected.size());
  for (size_t i = 0; i < output.size(); ++i) EXPECT_EQ(output[i], expected[i]) << "at " << i;
}

TEST(Conv2dInt8Test, ExtremeZeroPointsAndSharedBias) {
  Conv2dParams p = StridedDilatedParams();
  p.input_zp = 127;
  p.weight_zp = -128;
  const auto input = RandomInts<int8_t>(2 * 7 * 6 * 5, -128, 127, 4);
  const auto weight = RandomInts<int8_t>(4 * 3 * 3 * 5, -128, 127, 5);
  const std::vector<int32_t> bias = {-7};
  std::vector<int32_t> output(2 * 4 * 3 * 4);
  ASSERT_EQ(Conv2dInt8(p, input.data(), weight.data(), bias.data(), output.data()),
            KernelStatus::kOk);
  const auto expected = NaiveConv2d<int8_t, int8_t, int32_t, int64_t>(p, input, weight, bias);
  for (size_t i = 0; i < output.size(); ++i) EXPECT_EQ(output[i], expected[i]) << "at " << i;
}

TEST(Conv2dInt8Test, AccumulatorOverflowIsUnpredictable) {
  Conv2dParams p;
  p.input_channels = 40000;  // 40000 * 255 * 255 > INT32_MAX
  p.input_zp = 127;
  p.weight_zp = 127;
  const std::vector<int8_t> input(40000, -128);
  const std::vector<int8_t> weight(40000, -128);
  const std::vector<int32_t> bias = {0};
  int32_t output = 0;
  EXPECT_EQ(Conv2dInt8(p, input.data(), weight.data(), bias.data(), &output),
            KernelStatus::kUnpredictable);
}

TEST(Conv2dInt8Test, BiasOverflowIsUnpredictable) {
  Conv2dParams p;
  const int8_t input = 1, weight = 1;
  const int32_t bias = INT32_MAX;
  int32_t output = 0;
  EXPECT_EQ(Conv2dInt8(p, &input, &weight, &bias, &output), KernelStatus::kUnpredictable);
}

TEST(Conv2dInt16Test, MatchesNaiveLoopInInt48) {
  Conv2dParams p = StridedDilatedParams();
  p.bias_size = p.output_channels;
  const auto input = RandomInts<int16_t>(2 * 7 * 6 * 5, -32768, 32767, 6);
  const auto weight = RandomInts<int8_t>(4 * 3 * 3 * 5, -128, 127, 7);
  const auto bias = RandomInts<int64_t>(4, -(int64_t{1} << 40), int64_t{1} << 40, 8);
  std::vector<int64_t> output(2 * 4 * 3 * 4);
  ASSERT_EQ(Conv2dInt16(p, input.data(), weight.data(), bias.data(), output.data()),
            KernelStatus::kOk);
  const auto expected = NaiveConv2d<int16_t, int8_t, int64_t, int64_t>(p, input, weight, bias);
  for (size_t i = 0; i < output.size(); ++i) EXPECT_EQ(output[i], expected[i]) << "at " << i;
}

TEST(Conv2dFp32Test, MatchesNaiveLoopInTheSameOrder) {
  Conv2dParams p = StridedDilatedParams();
  p.bias_size = p.output_channels;
  const auto input = RandomFloats(2 * 7 * 6 * 5, -1.0f, 1.0f, 9);
  const auto weight = RandomFloats(4 * 3 * 3 * 5, -1.0f, 1.0f, 10);
  const auto bias = RandomFloats(4, -1.0f, 1.0f, 11);
  std::vector<float> output(2 * 4 * 3 * 4);
  Conv2dFp32(p, input.data(), weight.data(), bias.data(), output.data());
  const auto expected = NaiveConv2d<float, float, float, float>(p, input, weight, bias);
  for (size_t i = 0; i < output.size(); ++i) EXPECT_FLOAT_EQ(output[i], expected[i]) << "at " << i;
}

TEST(Conv2dFloat16Test, AccumulatorTypeDecidesRounding) {
  // 2048 + 1 + 1 over three input channels: fp16 accumulation stays at 2048 (2049 ties to even),
  // fp32 accumulation reaches 2050; bf16 (fp32 accumulation) adds 0.25 * 4 exactly.
  Conv2dParams p;
  p.input_channels = 3;
  const std::vector<Fp16> in = {Narrow<Fp16>(2048), Narrow<Fp16>(1), Narrow<Fp16>(1)};
  const std::vector<Fp16> w(3, Narrow<Fp16>(1));
  const std::vector<Fp16> bias = {Narrow<Fp16>(0)};
  Fp16 out;
  Conv2dFp16(p, in.data(), w.data(), bias.data(), &out, /*fp16_accumulator=*/true);
  EXPECT_EQ(Widen(out), 2048.0);
  Conv2dFp16(p, in.data(), w.data(), bias.data(), &out, /*fp16_accumulator=*/false);
  EXPECT_EQ(Widen(out), 2050.0);
  const std::vector<Bf16> bin = {Narrow<Bf16>(0.25), Narrow<Bf16>(0.25), Narrow<Bf16>(-1)};
  const std::vector<Bf16> bw = {Narrow<Bf16>(4), Narrow<Bf16>(4), Narrow<Bf16>(3)};
  const std::vector<Bf16> bbias = {Narrow<Bf16>(0.5)};
  Bf16 bout;
  Conv2dBf16(p, bin.data(), bw.data(), bbias.data(), &bout);
  EXPECT_EQ(Widen(bout), -0.5);
}

}  // namespace
}  // namespace inferd::cpu::kernels
