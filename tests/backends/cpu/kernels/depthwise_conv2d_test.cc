#include "backends/cpu/kernels/depthwise_conv2d.h"

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

// The specification's DEPTHWISE_CONV2D loop with plain 4-D indexing.
template <typename InT, typename WeightT, typename BiasT, typename AccT>
std::vector<AccT> NaiveDepthwise(const DepthwiseConv2dParams& p, const std::vector<InT>& input,
                                 const std::vector<WeightT>& weight,
                                 const std::vector<BiasT>& bias) {
  const int c_count = p.channels, m_count = p.multiplier;
  std::vector<AccT> out(static_cast<size_t>(p.batch) * p.output_height * p.output_width * c_count *
                        m_count);
  for (int n = 0; n < p.batch; ++n) {
    for (int oy = 0; oy < p.output_height; ++oy) {
      for (int ox = 0; ox < p.output_width; ++ox) {
        for (int c = 0; c < c_count; ++c) {
          for (int m = 0; m < m_count; ++m) {
            AccT acc = 0;
            for (int ky = 0; ky < p.kernel_height; ++ky) {
              for (int kx = 0; kx < p.kernel_width; ++kx) {
                const int y = oy * p.stride_y - p.pad_top + ky * p.dilation_y;
                const int x = ox * p.stride_x - p.pad_left + kx * p.dilation_x;
                if (y < 0 || y >= p.input_height || x < 0 || x >= p.input_width) continue;
                const AccT v = static_cast<AccT>(
                    input[((n * p.input_height + y) * p.input_width + x) * c_count + c]);
                const AccT w = static_cast<AccT>(
                    weight[((ky * p.kernel_width + kx) * c_count + c) * m_count + m]);
                acc += (v - static_cast<AccT>(p.input_zp)) * (w - static_cast<AccT>(p.weight_zp));
              }
            }
            const int oc = c * m_count + m;
            out[((n * p.output_height + oy) * p.output_width + ox) * c_count * m_count + oc] =
                acc + static_cast<AccT>(bias[p.bias_size == 1 ? 0 : oc]);
          }
        }
      }
    }
  }
  return out;
}

DepthwiseConv2dParams TestParams() {
  DepthwiseConv2dParams p;
  p.batch = 2;
  p.input_height = 9;
  p.input_width = 8;
  p.channels = 3;
  p.multiplier = 2;
  p.kernel_height = 3;
  p.kernel_width = 2;
  p.pad_top = 2;
  p.pad_bottom = 0;
  p.pad_left = 1;
  p.pad_right = 2;
  p.stride_y = 1;
  p.stride_x = 3;
  p.dilation_y = 2;
  p.dilation_x = 1;
  // (9 - 1 + 2 - 2 * 2) / 1 + 1 and (8 - 1 + 3 - 1 * 1) / 3 + 1.
  p.output_height = 7;
  p.output_width = 4;
  return p;
}

TEST(DepthwiseConv2dInt8Test, HandComputedChannelMultiplier) {
  // 1x2x2x1 input, 2x2 kernel with two filters per channel, no padding: one output pixel.
  DepthwiseConv2dParams p;
  p.input_height = p.input_width = 2;
  p.kernel_height = p.kernel_width = 2;
  p.multiplier = 2;
  p.bias_size = 2;
  p.input_zp = -1;  // inputs 0..3 become 1..4
  p.weight_zp = 0;
  const std::vector<int8_t> input = {0, 1, 2, 3};
  // HWCM: filter 0 is all 1, filter 1 is (1, -1, 2, -2).
  const std::vector<int8_t> weight = {1, 1, 1, -1, 1, 2, 1, -2};
  const std::vector<int32_t> bias = {100, -100};
  std::vector<int32_t> output(2);
  ASSERT_EQ(DepthwiseConv2dInt8(p, input.data(), weight.data(), bias.data(), output.data()),
            KernelStatus::kOk);
  // Filter 0: 1 + 2 + 3 + 4 = 10. Filter 1: 1 - 2 + 6 - 8 = -3.
  EXPECT_THAT(output, ElementsAre(110, -103));
}

TEST(DepthwiseConv2dInt8Test, MatchesNaiveLoop) {
  DepthwiseConv2dParams p = TestParams();
  p.input_zp = 100;
  p.weight_zp = -50;
  p.bias_size = p.channels * p.multiplier;
  const auto input = RandomInts<int8_t>(2 * 9 * 8 * 3, -128, 127, 21);
  const auto weight = RandomInts<int8_t>(3 * 2 * 3 * 2, -128, 127, 22);
  const auto bias = RandomInts<int32_t>(6, -5000, 5000, 23);
  std::vector<int32_t> output(2 * 7 * 4 * 6);
  ASSERT_EQ(DepthwiseConv2dInt8(p, input.data(), weight.data(), bias.data(), output.data()),
            KernelStatus::kOk);
  const auto expected = NaiveDepthwise<int8_t, int8_t, int32_t, int64_t>(p, input, weight, bias);
  for (size_t i = 0; i < output.size(); ++i) EXPECT_EQ(output[i], expected[i]) << "at " << i;
}

TEST(DepthwiseConv2dInt8Test, BiasOverflowIsUnpredictable) {
  DepthwiseConv2dParams p;
  const int8_t input = -1, weight = 1;
  const int32_t bias = INT32_MIN;
  int32_t output = 0;
  EXPECT_EQ(DepthwiseConv2dInt8(p, &input, &weight, &bias, &output), KernelStatus::kUnpredictable);
}

TEST(DepthwiseConv2dInt16Test, MatchesNaiveLoop) {
  DepthwiseConv2dParams p = TestParams();
  const auto input = RandomInts<int16_t>(2 * 9 * 8 * 3, -32768, 32767, 24);
  const auto weight = RandomInts<int8_t>(3 * 2 * 3 * 2, -128, 127, 25);
  const std::vector<int64_t> bias = {int64_t{1} << 45};
  std::vector<int64_t> output(2 * 7 * 4 * 6);
  ASSERT_EQ(DepthwiseConv2dInt16(p, input.data(), weight.data(), bias.data(), output.data()),
            KernelStatus::kOk);
  const auto expected = NaiveDepthwise<int16_t, int8_t, int64_t, int64_t>(p, input, weight, bias);
  for (size_t i = 0; i < output.size(); ++i) EXPECT_EQ(output[i], expected[i]) << "at " << i;
}

TEST(DepthwiseConv2dFp32Test, MatchesNaiveLoop) {
  DepthwiseConv2dParams p = TestParams();
  p.bias_size = 6;
  const auto input = RandomFloats(2 * 9 * 8 * 3, -2.0f, 2.0f, 26);
  const auto weight = RandomFloats(3 * 2 * 3 * 2, -1.0f, 1.0f, 27);
  const auto bias = RandomFloats(6, -1.0f, 1.0f, 28);
  std::vector<float> output(2 * 7 * 4 * 6);
  DepthwiseConv2dFp32(p, input.data(), weight.data(), bias.data(), output.data());
  const auto expected = NaiveDepthwise<float, float, float, float>(p, input, weight, bias);
  for (size_t i = 0; i < output.size(); ++i) EXPECT_FLOAT_EQ(output[i], expected[i]) << "at " << i;
}

TEST(DepthwiseConv2dFloat16Test, MultiplierAndPadding) {
  // input [1, 1, 2, 1] = {1, 2}, kernel [1, 2, 1, 2] (multiplier 2), pad_right 1: output
  // [1, 1, 2, 2] where out[x][m] = in[x] * w[0][m] + in[x + 1] * w[1][m] (0 past the edge).
  DepthwiseConv2dParams p;
  p.input_width = 2;
  p.kernel_width = 2;
  p.multiplier = 2;
  p.pad_right = 1;
  p.output_width = 2;
  p.bias_size = 2;
  const std::vector<Bf16> in = {Narrow<Bf16>(1), Narrow<Bf16>(2)};
  const std::vector<Bf16> w = {Narrow<Bf16>(1), Narrow<Bf16>(-1), Narrow<Bf16>(10),
                               Narrow<Bf16>(0.5)};
  const std::vector<Bf16> bias = {Narrow<Bf16>(0), Narrow<Bf16>(100)};
  std::vector<Bf16> out(4);
  DepthwiseConv2dBf16(p, in.data(), w.data(), bias.data(), out.data());
  EXPECT_EQ(Widen(out[0]), 21.0);   // 1 * 1 + 2 * 10
  EXPECT_EQ(Widen(out[1]), 100.0);  // 1 * -1 + 2 * 0.5 + 100
  EXPECT_EQ(Widen(out[2]), 2.0);    // 2 * 1
  EXPECT_EQ(Widen(out[3]), 98.0);   // 2 * -1 + 100
  const std::vector<Fp16> hin = {Narrow<Fp16>(1), Narrow<Fp16>(2)};
  const std::vector<Fp16> hw = {Narrow<Fp16>(1), Narrow<Fp16>(-1), Narrow<Fp16>(10),
                                Narrow<Fp16>(0.5)};
  const std::vector<Fp16> hbias = {Narrow<Fp16>(0), Narrow<Fp16>(100)};
  std::vector<Fp16> hout(4);
  DepthwiseConv2dFp16(p, hin.data(), hw.data(), hbias.data(), hout.data(), true);
  EXPECT_EQ(Widen(hout[0]), 21.0);
  EXPECT_EQ(Widen(hout[3]), 98.0);
}

}  // namespace
}  // namespace inferd::cpu::kernels
