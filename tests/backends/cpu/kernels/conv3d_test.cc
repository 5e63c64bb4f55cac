#include "backends/cpu/kernels/conv3d.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(Conv3dTest, HandComputedInt8WithZeroPoints) {
  // input [1, 2, 1, 2, 1] = {1, 2 | 3, 4}, weight [1, 2, 1, 1, 1] = {1, -1}: a depth difference.
  // With input_zp 1 and weight_zp 0: out[x] = (in[0][x] - 1) - (in[1][x] - 1) + bias.
  Conv3dParams p;
  p.input_depth = 2;
  p.input_width = 2;
  p.kernel_depth = 2;
  p.output_depth = 1;
  p.output_width = 2;
  p.input_zp = 1;
  const std::vector<int8_t> in = {1, 2, 3, 4};
  const std::vector<int8_t> w = {1, -1};
  const std::vector<int32_t> bias = {100};
  std::vector<int32_t> out(2);
  ASSERT_EQ(Conv3dInt8(p, in.data(), w.data(), bias.data(), out.data()), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(98, 98));
}

// The specification's pseudo-code, literally: every output sums over (kd, ky, kx, ic) the
// products at in-range positions.
std::vector<int64_t> Reference(const Conv3dParams& p, const std::vector<int16_t>& in,
                               const std::vector<int8_t>& w, const std::vector<int64_t>& bias) {
  std::vector<int64_t> out;
  for (int n = 0; n < p.batch; ++n)
    for (int od = 0; od < p.output_depth; ++od)
      for (int oy = 0; oy < p.output_height; ++oy)
        for (int ox = 0; ox < p.output_width; ++ox)
          for (int oc = 0; oc < p.output_channels; ++oc) {
            int64_t acc = 0;
            for (int kd = 0; kd < p.kernel_depth; ++kd)
              for (int ky = 0; ky < p.kernel_height; ++ky)
                for (int kx = 0; kx < p.kernel_width; ++kx)
                  for (int ic = 0; ic < p.input_channels; ++ic) {
                    const int d = od * p.stride_d - p.pad_front + kd * p.dilation_d;
                    const int y = oy * p.stride_y - p.pad_top + ky * p.dilation_y;
                    const int x = ox * p.stride_x - p.pad_left + kx * p.dilation_x;
                    if (d < 0 || d >= p.input_depth || y < 0 || y >= p.input_height || x < 0 ||
                        x >= p.input_width)
                      continue;
                    const size_t i =
                        (((static_cast<size_t>(n) * p.input_depth + d) * p.input_height + y) *
                             p.input_width +
                         x) *
                            p.input_channels +
                        ic;
                    const size_t k =
                        (((static_cast<size_t>(oc) * p.kernel_depth + kd) * p.kernel_height + ky) *
                             p.kernel_width +
                         kx) *
                            p.input_channels +
                        ic;
                    acc += int64_t{in[i]} * (w[k] - p.weight_zp);
                  }
            out.push_back(acc + bias[p.bias_size == 1 ? 0 : oc]);
          }
  return out;
}

TEST(Conv3dTest, Int16MatchesPseudoCodeWithPadStrideDilation) {
  Conv3dParams p;
  p.batch = 2;
  p.input_depth = 4;
  p.input_height = 5;
  p.input_width = 6;
  p.input_channels = 3;
  p.output_channels = 2;
  p.kernel_depth = 2;
  p.kernel_height = 3;
  p.kernel_width = 2;
  p.pad_front = 1;
  p.pad_back = 0;
  p.pad_top = 1;
  p.pad_bottom = 2;
  p.pad_left = 0;
  p.pad_right = 1;
  p.stride_d = 2;
  p.stride_y = 1;
  p.stride_x = 2;
  p.dilation_d = 1;
  p.dilation_y = 2;
  p.dilation_x = 1;
  p.output_depth = (4 - 1 + 1 + 0 - 1 * 1) / 2 + 1;
  p.output_height = (5 - 1 + 1 + 2 - 2 * 2) / 1 + 1;
  p.output_width = (6 - 1 + 0 + 1 - 1 * 1) / 2 + 1;
  p.bias_size = 2;
  p.weight_zp = 3;
  const auto in = test_util::RandomInts<int16_t>(2 * 4 * 5 * 6 * 3, -32768, 32767, 1);
  const auto w = test_util::RandomInts<int8_t>(2 * 2 * 3 * 2 * 3, -128, 127, 2);
  const std::vector<int64_t> bias = {int64_t{1} << 40, -12345};
  const std::vector<int64_t> expected = Reference(p, in, w, bias);
  std::vector<int64_t> out(expected.size());
  ASSERT_EQ(Conv3dInt16(p, in.data(), w.data(), bias.data(), out.data()), KernelStatus::kOk);
  EXPECT_EQ(out, expected);
}

TEST(Conv3dTest, Int8OverflowIsUnpredictable) {
  Conv3dParams p;
  const std::vector<int8_t> in = {1}, w = {1};
  const std::vector<int32_t> bias = {INT32_MAX};
  std::vector<int32_t> out(1);
  EXPECT_EQ(Conv3dInt8(p, in.data(), w.data(), bias.data(), out.data()),
            KernelStatus::kUnpredictable);
}

TEST(Conv3dTest, Fp32SumsInSpecificationOrder) {
  // 1x1x1 input with two channels against a 1x1x1 kernel: out = 0.5 * 2 + 0.25 * 4 + bias.
  Conv3dParams p;
  p.input_channels = 2;
  const std::vector<float> in = {0.5f, 0.25f}, w = {2.0f, 4.0f}, bias = {-1.0f};
  std::vector<float> out(1);
  Conv3dFp32(p, in.data(), w.data(), bias.data(), out.data());
  EXPECT_EQ(out[0], 1.0f);
}

TEST(Conv3dTest, Fp16AccumulatorTypeDecidesRounding) {
  // One output over three channels: 2048 + 1 + 1. An fp16 accumulator rounds 2049 back to 2048
  // (ties to even) twice; an fp32 accumulator reaches 2050, which fp16 holds.
  Conv3dParams p;
  p.input_channels = 3;
  const std::vector<Fp16> in = {Narrow<Fp16>(2048), Narrow<Fp16>(1), Narrow<Fp16>(1)};
  const std::vector<Fp16> w(3, Narrow<Fp16>(1));
  const std::vector<Fp16> bias = {Narrow<Fp16>(0)};
  Fp16 out;
  Conv3dFp16(p, in.data(), w.data(), bias.data(), &out, /*fp16_accumulator=*/true);
  EXPECT_EQ(Widen(out), 2048.0);
  Conv3dFp16(p, in.data(), w.data(), bias.data(), &out, /*fp16_accumulator=*/false);
  EXPECT_EQ(Widen(out), 2050.0);
}

TEST(Conv3dTest, Bf16WithBias) {
  Conv3dParams p;
  p.input_channels = 2;
  const std::vector<Bf16> in = {Narrow<Bf16>(1.5), Narrow<Bf16>(-2)};
  const std::vector<Bf16> w = {Narrow<Bf16>(2), Narrow<Bf16>(0.25)};
  const std::vector<Bf16> bias = {Narrow<Bf16>(10)};
  Bf16 out;
  Conv3dBf16(p, in.data(), w.data(), bias.data(), &out);
  EXPECT_EQ(Widen(out), 12.5);
}

}  // namespace
}  // namespace inferd::cpu::kernels
