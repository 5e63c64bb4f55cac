// The optimised INT8 CONV2D / DEPTHWISE_CONV2D / MATMUL with a fused RESCALE + CLAMP epilogue
// against the reference kernels run one after another, on the calling thread and on a kernel
// thread pool: equal bit for bit. Also the FP32 kernels on a pool against one thread.
#include "backends/cpu/kernels/optimized/fused_requantization.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "backends/cpu/kernels/clamp.h"
#include "backends/cpu/kernels/conv2d.h"
#include "backends/cpu/kernels/depthwise_conv2d.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/optimized/conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/depthwise_conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/matmul_optimized.h"
#include "backends/cpu/kernels/optimized/rescale_optimized.h"
#include "backends/cpu/kernels/optimized/thread_pool.h"
#include "backends/cpu/kernels/rescale.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// A per-channel requantisation to INT8 with a CLAMP, as MobileNet's ReLU6 layers have.
struct Requant {
  std::vector<int32_t> multiplier;
  std::vector<int8_t> shift;
  RescaleParams params;
  int8_t lo = 0, hi = 0;

  Requant(std::mt19937& rng, int64_t elements, int32_t channels)
      : multiplier(channels), shift(channels) {
    for (int32_t c = 0; c < channels; ++c) {
      multiplier[c] = RandomInt(rng, 1 << 30, INT32_MAX);
      shift[c] = static_cast<int8_t>(RandomInt(rng, 36, 44));
    }
    params.element_count = elements;
    params.channels = channels;
    params.per_channel = RandomInt(rng, 0, 3) != 0;
    params.multiplier32 = multiplier.data();
    params.shift = shift.data();
    params.output_zp = RandomInt(rng, -128, 127);
    params.rounding_mode =
        RandomInt(rng, 0, 1) ? RoundingMode::kDoubleRound : RoundingMode::kSingleRound;
    lo = static_cast<int8_t>(RandomInt(rng, -128, 0));
    hi = static_cast<int8_t>(RandomInt(rng, 1, 127));
  }

  // The separate reference operators' result for `acc`.
  std::vector<int8_t> Reference(const std::vector<int32_t>& acc) const {
    std::vector<int8_t> scaled(acc.size()), clamped(acc.size());
    EXPECT_EQ((Rescale<int32_t, int8_t>(params, acc.data(), scaled.data())), KernelStatus::kOk);
    ClampInt8(scaled.data(), clamped.data(), static_cast<int64_t>(scaled.size()), lo, hi);
    return clamped;
  }

  FusedRequantization Fused(int8_t* output) const {
    FusedRequantization fused;
    fused.kernels = SelectRescaleKernels();
    fused.output = output;
    EXPECT_TRUE((PrepareRescaleSpan<int32_t, int8_t>(params, lo, hi, fused.span)));
    return fused;
  }
};

class FusedRequantizationTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (SelectTileKernels() == nullptr || SelectRescaleKernels() == nullptr) {
      GTEST_SKIP() << "no optimised kernels on this CPU";
    }
    if (GetParam() > 1) pool_ = std::make_unique<ThreadPool>(GetParam());
  }
  std::unique_ptr<ThreadPool> pool_;
};

TEST_P(FusedRequantizationTest, Conv2dMatchesSeparateReferenceOperators) {
  std::mt19937 rng(71);
  const ScopedKernelThreadPool scope(pool_.get());
  for (int trial = 0; trial < 40; ++trial) {
    Conv2dParams p;
    // Tall enough, now and then, for the kernels to cut the work into several tasks.
    p.input_height = RandomInt(rng, 1, 40);
    p.input_width = RandomInt(rng, 1, 12);
    p.input_channels = RandomInt(rng, 1, 20);
    p.output_channels = RandomInt(rng, 1, 40);
    p.kernel_height = p.kernel_width = 3;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.output_height = p.input_height;
    p.output_width = p.input_width;
    p.bias_size = p.output_channels;
    p.input_zp = RandomInt(rng, -128, 127);
    const auto input = RandomInt8(rng, int64_t{p.input_height} * p.input_width * p.input_channels);
    const auto weight = RandomInt8(rng, int64_t{p.output_channels} * 9 * p.input_channels);
    const auto bias = RandomBias(rng, p.output_channels);
    const int64_t count = int64_t{p.output_height} * p.output_width * p.output_channels;
    std::vector<int32_t> acc(count);
    ASSERT_EQ(Conv2dInt8(p, input.data(), weight.data(), bias.data(), acc.data()),
              KernelStatus::kOk);
    const Requant requant(rng, count, p.output_channels);
    std::vector<int8_t> fused_out(count, 99);
    const FusedRequantization fused = requant.Fused(fused_out.data());
    const PackedInt8Matrix packed =
        PackConv2dInt8Weights(*SelectTileKernels(), p, weight.data(), 0);
    ASSERT_EQ(Conv2dInt8Optimized(*SelectTileKernels(), p, packed, input.data(), bias.data(),
                                  nullptr, &fused),
              KernelStatus::kOk);
    ASSERT_EQ(fused_out, requant.Reference(acc)) << "trial " << trial;
  }
}

TEST_P(FusedRequantizationTest, DepthwiseMatchesSeparateReferenceOperators) {
  std::mt19937 rng(72);
  const ScopedKernelThreadPool scope(pool_.get());
  for (int trial = 0; trial < 40; ++trial) {
    DepthwiseConv2dParams p;
    p.input_height = RandomInt(rng, 1, 80);
    p.input_width = RandomInt(rng, 1, 14);
    p.channels = RandomInt(rng, 1, 70);
    p.kernel_height = p.kernel_width = 3;
    p.stride_y = p.stride_x = RandomInt(rng, 1, 2);
    p.pad_top = p.pad_left = 1;
    p.output_height = (p.input_height - 1) / p.stride_y + 1;
    p.output_width = (p.input_width - 1) / p.stride_x + 1;
    p.pad_bottom = (p.output_height - 1) * p.stride_y + 3 - p.input_height - 1;
    p.pad_right = (p.output_width - 1) * p.stride_x + 3 - p.input_width - 1;
    p.bias_size = p.channels;
    p.input_zp = RandomInt(rng, -128, 127);
    const auto input = RandomInt8(rng, int64_t{p.input_height} * p.input_width * p.channels);
    const auto weight = RandomInt8(rng, int64_t{9} * p.channels);
    const auto bias = RandomBias(rng, p.channels);
    const int64_t count = int64_t{p.output_height} * p.output_width * p.channels;
    std::vector<int32_t> acc(count);
    ASSERT_EQ(DepthwiseConv2dInt8(p, input.data(), weight.data(), bias.data(), acc.data()),
              KernelStatus::kOk);
    const Requant requant(rng, count, p.channels);
    std::vector<int8_t> fused_out(count, 99);
    const FusedRequantization fused = requant.Fused(fused_out.data());
    const std::vector<int16_t> packed = PackDepthwiseInt8Weights(p, weight.data(), 0);
    ASSERT_EQ(DepthwiseConv2dInt8Optimized(*SelectTileKernels(), p, packed.data(), input.data(),
                                           bias.data(), nullptr, &fused),
              KernelStatus::kOk);
    ASSERT_EQ(fused_out, requant.Reference(acc)) << "trial " << trial;
  }
}

TEST_P(FusedRequantizationTest, MatmulMatchesSeparateReferenceOperators) {
  std::mt19937 rng(73);
  const ScopedKernelThreadPool scope(pool_.get());
  for (int trial = 0; trial < 40; ++trial) {
    MatmulParams p;
    p.batch = RandomInt(rng, 1, 2);
    p.rows = RandomInt(rng, 1, 200);
    p.depth = RandomInt(rng, 1, 200);
    p.columns = RandomInt(rng, 1, 40);
    p.a_zp = RandomInt(rng, -128, 127);
    p.b_zp = RandomInt(rng, -128, 127);
    const auto a = RandomInt8(rng, int64_t{p.batch} * p.rows * p.depth);
    const auto b = RandomInt8(rng, int64_t{p.batch} * p.depth * p.columns);
    const int64_t count = int64_t{p.batch} * p.rows * p.columns;
    std::vector<int32_t> acc(count);
    ASSERT_EQ(MatmulInt8(p, a.data(), b.data(), acc.data()), KernelStatus::kOk);
    const Requant requant(rng, count, p.columns);
    std::vector<int8_t> ahead(count, 99), at_run(count, 99);
    const FusedRequantization fused_ahead = requant.Fused(ahead.data());
    const FusedRequantization fused_at_run = requant.Fused(at_run.data());
    const PackedInt8Matrix packed = PackMatmulInt8B(*SelectTileKernels(), p, b.data(), p.b_zp);
    ASSERT_EQ(MatmulInt8Optimized(*SelectTileKernels(), p, &packed, a.data(), b.data(), nullptr,
                                  &fused_ahead),
              KernelStatus::kOk);
    ASSERT_EQ(MatmulInt8Optimized(*SelectTileKernels(), p, nullptr, a.data(), b.data(), nullptr,
                                  &fused_at_run),
              KernelStatus::kOk);
    const std::vector<int8_t> expected = requant.Reference(acc);
    ASSERT_EQ(ahead, expected) << "trial " << trial;
    ASSERT_EQ(at_run, expected) << "trial " << trial;
  }
}

TEST_P(FusedRequantizationTest, Fp32KernelsGiveTheSameBitsOnAnyThreadCount) {
  std::mt19937 rng(74);
  Conv2dParams p;
  p.input_height = p.input_width = 23;
  p.input_channels = 7;
  p.output_channels = 19;
  p.kernel_height = p.kernel_width = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.output_height = p.output_width = 23;
  p.bias_size = p.output_channels;
  const auto input = RandomFloat(rng, 23 * 23 * 7);
  const auto weight = RandomFloat(rng, 19 * 9 * 7);
  const auto bias = RandomFloat(rng, 19);
  const PackedFp32Matrix packed = PackConv2dFp32Weights(p, weight.data());
  std::vector<float> alone(23 * 23 * 19), pooled(23 * 23 * 19);
  Conv2dFp32Optimized(*SelectTileKernels(), p, packed, input.data(), bias.data(), alone.data());
  {
    const ScopedKernelThreadPool scope(pool_.get());
    Conv2dFp32Optimized(*SelectTileKernels(), p, packed, input.data(), bias.data(), pooled.data());
  }
  EXPECT_EQ(pooled, alone);
}

INSTANTIATE_TEST_SUITE_P(Threads, FusedRequantizationTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
