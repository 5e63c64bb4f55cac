#include "backends/cpu/kernels/transpose_conv2d.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(TransposeConv2dTest, HandComputedStride2) {
  // input [1, 1, 2, 1] = {1, 2}, weight [1, 1, 2, 1] = {10, 1}, stride 2, no padding:
  // each input spreads its kernel over two outputs -> {10, 1, 20, 2}.
  TransposeConv2dParams p;
  p.input_width = 2;
  p.kernel_width = 2;
  p.stride_x = 2;
  p.output_width = (2 - 1) * 2 + 2;
  const std::vector<int8_t> in = {1, 2}, w = {10, 1};
  const std::vector<int32_t> bias = {0};
  std::vector<int32_t> out(4);
  ASSERT_EQ(TransposeConv2dInt8(p, in.data(), w.data(), bias.data(), out.data()),
            KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(10, 1, 20, 2));
}

TEST(TransposeConv2dTest, NegativePadCropsAndPositivePadExtends) {
  // Same as above with out_pad_left = -1 (drops the first column) and out_pad_right = 1 (adds a
  // column no kernel tap reaches, holding only the bias).
  TransposeConv2dParams p;
  p.input_width = 2;
  p.kernel_width = 2;
  p.stride_x = 2;
  p.out_pad_left = -1;
  p.out_pad_right = 1;
  p.output_width = (2 - 1) * 2 - 1 + 1 + 2;
  const std::vector<float> in = {1, 2}, w = {10, 1}, bias = {0.5f};
  std::vector<float> out(4);
  TransposeConv2dFp32(p, in.data(), w.data(), bias.data(), out.data());
  EXPECT_THAT(out, ElementsAre(1.5f, 20.5f, 2.5f, 0.5f));
}

// Scatter form, independent of the kernel's gather form: every input element adds its products
// to the outputs its kernel window covers.
std::vector<int64_t> Reference(const TransposeConv2dParams& p, const std::vector<int8_t>& in,
                               const std::vector<int8_t>& w, const std::vector<int32_t>& bias) {
  std::vector<int64_t> out(static_cast<size_t>(p.batch) * p.output_height * p.output_width *
                           p.output_channels);
  for (int n = 0; n < p.batch; ++n)
    for (int iy = 0; iy < p.input_height; ++iy)
      for (int ix = 0; ix < p.input_width; ++ix)
        for (int oc = 0; oc < p.output_channels; ++oc)
          for (int ky = 0; ky < p.kernel_height; ++ky)
            for (int kx = 0; kx < p.kernel_width; ++kx) {
              const int oy = iy * p.stride_y + p.out_pad_top + ky;
              const int ox = ix * p.stride_x + p.out_pad_left + kx;
              if (oy < 0 || oy >= p.output_height || ox < 0 || ox >= p.output_width) continue;
              for (int ic = 0; ic < p.input_channels; ++ic) {
                const int64_t v =
                    in[((static_cast<size_t>(n) * p.input_height + iy) * p.input_width + ix) *
                           p.input_channels +
                       ic] -
                    p.input_zp;
                const int64_t k =
                    w[((static_cast<size_t>(oc) * p.kernel_height + ky) * p.kernel_width + kx) *
                          p.input_channels +
                      ic] -
                    p.weight_zp;
                out[((static_cast<size_t>(n) * p.output_height + oy) * p.output_width + ox) *
                        p.output_channels +
                    oc] += v * k;
              }
            }
  for (size_t i = 0; i < out.size(); ++i) out[i] += bias[p.bias_size == 1 ? 0 : i % bias.size()];
  return out;
}

TEST(TransposeConv2dTest, Int8MatchesScatterForm) {
  TransposeConv2dParams p;
  p.batch = 2;
  p.input_height = 4;
  p.input_width = 5;
  p.input_channels = 3;
  p.output_channels = 4;
  p.kernel_height = 3;
  p.kernel_width = 2;
  p.stride_y = 2;
  p.stride_x = 3;
  p.out_pad_top = -2;
  p.out_pad_bottom = 1;
  p.out_pad_left = 0;
  p.out_pad_right = -1;
  p.output_height = (4 - 1) * 2 - 2 + 1 + 3;
  p.output_width = (5 - 1) * 3 + 0 - 1 + 2;
  p.bias_size = 4;
  p.input_zp = -5;
  p.weight_zp = 7;
  const auto in = test_util::RandomInts<int8_t>(2 * 4 * 5 * 3, -128, 127, 3);
  const auto w = test_util::RandomInts<int8_t>(4 * 3 * 2 * 3, -128, 127, 4);
  const std::vector<int32_t> bias = {1, -2, 300, -40000};
  const std::vector<int64_t> expected = Reference(p, in, w, bias);
  std::vector<int32_t> out(expected.size());
  ASSERT_EQ(TransposeConv2dInt8(p, in.data(), w.data(), bias.data(), out.data()),
            KernelStatus::kOk);
  EXPECT_EQ(std::vector<int64_t>(out.begin(), out.end()), expected);
}

TEST(TransposeConv2dTest, Float16Types) {
  // The stride-2 example of HandComputedStride2 in fp16 (fp32 accumulation) and bf16.
  TransposeConv2dParams p;
  p.input_width = 2;
  p.kernel_width = 2;
  p.stride_x = 2;
  p.output_width = 4;
  const std::vector<Fp16> in = {Narrow<Fp16>(1), Narrow<Fp16>(2)};
  const std::vector<Fp16> w = {Narrow<Fp16>(10), Narrow<Fp16>(1)};
  const std::vector<Fp16> bias = {Narrow<Fp16>(0.5)};
  std::vector<Fp16> out(4);
  TransposeConv2dFp16(p, in.data(), w.data(), bias.data(), out.data(), false);
  EXPECT_EQ(Widen(out[0]), 10.5);
  EXPECT_EQ(Widen(out[3]), 2.5);
  const std::vector<Bf16> bin = {Narrow<Bf16>(1), Narrow<Bf16>(2)};
  const std::vector<Bf16> bw = {Narrow<Bf16>(10), Narrow<Bf16>(1)};
  const std::vector<Bf16> bbias = {Narrow<Bf16>(0)};
  std::vector<Bf16> bout(4);
  TransposeConv2dBf16(p, bin.data(), bw.data(), bbias.data(), bout.data());
  EXPECT_EQ(Widen(bout[2]), 20.0);
}

}  // namespace
}  // namespace inferd::cpu::kernels
