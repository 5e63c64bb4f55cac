// The optimised MAX_POOL2D / AVG_POOL2D give the reference kernels' bytes on random geometries:
// padding, strides, windows that clip, channel counts across the accumulator block, NaNs and
// signed zeros for FP32.
#include "backends/cpu/kernels/optimized/pooling_optimized.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "backends/cpu/kernels/pooling.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// A geometry the validator would accept: 0 <= pad < kernel and an exact output size.
std::optional<Pool2dParams> RandomGeometry(std::mt19937& rng, int32_t max_channels) {
  Pool2dParams p;
  p.batch = RandomInt(rng, 1, 2);
  p.input_height = RandomInt(rng, 1, 9);
  p.input_width = RandomInt(rng, 1, 9);
  p.channels =
      RandomInt(rng, 0, 3) == 0 ? RandomInt(rng, 500, max_channels) : RandomInt(rng, 1, 40);
  p.kernel_height = RandomInt(rng, 1, 4);
  p.kernel_width = RandomInt(rng, 1, 4);
  p.stride_y = RandomInt(rng, 1, 3);
  p.stride_x = RandomInt(rng, 1, 3);
  p.pad_top = RandomInt(rng, 0, p.kernel_height - 1);
  p.pad_left = RandomInt(rng, 0, p.kernel_width - 1);
  auto fit = [](int32_t size, int32_t pad_before, int32_t kernel, int32_t stride, int32_t& after,
                int32_t& out) {
    for (after = 0; after < kernel; ++after) {
      const int32_t span = size + pad_before + after - kernel;
      if (span >= 0 && span % stride == 0) {
        out = span / stride + 1;
        return true;
      }
    }
    return false;
  };
  if (!fit(p.input_height, p.pad_top, p.kernel_height, p.stride_y, p.pad_bottom, p.output_height) ||
      !fit(p.input_width, p.pad_left, p.kernel_width, p.stride_x, p.pad_right, p.output_width)) {
    return std::nullopt;
  }
  return p;
}

int64_t InputCount(const Pool2dParams& p) {
  return int64_t{p.batch} * p.input_height * p.input_width * p.channels;
}
int64_t OutputCount(const Pool2dParams& p) {
  return int64_t{p.batch} * p.output_height * p.output_width * p.channels;
}

template <typename T>
bool SameBytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

std::string Describe(const Pool2dParams& p) {
  return "n" + std::to_string(p.batch) + " " + std::to_string(p.input_height) + "x" +
         std::to_string(p.input_width) + "x" + std::to_string(p.channels) + " k" +
         std::to_string(p.kernel_height) + "x" + std::to_string(p.kernel_width) + " s" +
         std::to_string(p.stride_y) + "," + std::to_string(p.stride_x) + " pad" +
         std::to_string(p.pad_top) + "," + std::to_string(p.pad_bottom) + "," +
         std::to_string(p.pad_left) + "," + std::to_string(p.pad_right);
}

constexpr int kCases = 300;

TEST(PoolingOptimizedTest, MaxPoolInt8AndInt16MatchTheReference) {
  std::mt19937 rng(11);
  for (int i = 0; i < kCases; ++i) {
    const std::optional<Pool2dParams> p = RandomGeometry(rng, 600);
    if (!p) continue;
    const std::vector<int8_t> input = RandomInt8(rng, InputCount(*p));
    std::vector<int8_t> expected(OutputCount(*p)), got(OutputCount(*p), 55);
    kernels::MaxPool2dInt8(*p, input.data(), expected.data());
    optimized::MaxPool2dInt8(*p, input.data(), got.data());
    ASSERT_TRUE(SameBytes(expected, got)) << Describe(*p);

    std::vector<int16_t> input16(InputCount(*p));
    for (auto& v : input16) v = static_cast<int16_t>(RandomInt(rng, -32768, 32767));
    std::vector<int16_t> expected16(OutputCount(*p)), got16(OutputCount(*p), 55);
    kernels::MaxPool2dInt16(*p, input16.data(), expected16.data());
    optimized::MaxPool2dInt16(*p, input16.data(), got16.data());
    ASSERT_TRUE(SameBytes(expected16, got16)) << Describe(*p);
  }
}

TEST(PoolingOptimizedTest, MaxPoolFp32MatchesTheReferenceInBothNanModes) {
  std::mt19937 rng(12);
  for (int i = 0; i < kCases; ++i) {
    const std::optional<Pool2dParams> p = RandomGeometry(rng, 600);
    if (!p) continue;
    const std::vector<float> input = AwkwardFloats(rng, InputCount(*p));
    for (NanMode mode : {NanMode::kPropagate, NanMode::kIgnore}) {
      std::vector<float> expected(OutputCount(*p)), got(OutputCount(*p), 5.0f);
      kernels::MaxPool2dFp32(*p, input.data(), expected.data(), mode);
      optimized::MaxPool2dFp32(*p, input.data(), got.data(), mode);
      ASSERT_TRUE(SameBytes(expected, got))
          << Describe(*p) << (mode == NanMode::kIgnore ? " ignore" : " propagate");
    }
  }
}

TEST(PoolingOptimizedTest, AvgPoolInt8MatchesTheReferenceWithZeroPoints) {
  std::mt19937 rng(13);
  for (int i = 0; i < kCases; ++i) {
    std::optional<Pool2dParams> p = RandomGeometry(rng, 1100);
    if (!p) continue;
    p->input_zp = RandomInt(rng, -128, 127);
    p->output_zp = RandomInt(rng, -128, 127);
    ASSERT_TRUE(AvgPool2dInt8Supported(*p));
    const std::vector<int8_t> input = RandomInt8(rng, InputCount(*p));
    std::vector<int8_t> expected(OutputCount(*p)), got(OutputCount(*p), 55);
    const KernelStatus reference = kernels::AvgPool2dInt8(*p, input.data(), expected.data());
    const KernelStatus optimized = optimized::AvgPool2dInt8(*p, input.data(), got.data());
    ASSERT_EQ(reference, optimized) << Describe(*p);
    ASSERT_TRUE(SameBytes(expected, got)) << Describe(*p);
  }
}

TEST(PoolingOptimizedTest, AvgPoolFp32MatchesTheReference) {
  std::mt19937 rng(14);
  for (int i = 0; i < kCases; ++i) {
    const std::optional<Pool2dParams> p = RandomGeometry(rng, 600);
    if (!p) continue;
    const std::vector<float> input = RandomFloat(rng, InputCount(*p));
    std::vector<float> expected(OutputCount(*p)), got(OutputCount(*p), 5.0f);
    kernels::AvgPool2dFp32(*p, input.data(), expected.data());
    optimized::AvgPool2dFp32(*p, input.data(), got.data());
    ASSERT_TRUE(SameBytes(expected, got)) << Describe(*p);
  }
}

TEST(PoolingOptimizedTest, HugeWindowsAreLeftToTheReference) {
  Pool2dParams p;
  p.kernel_height = 4096;
  p.kernel_width = 2048;
  EXPECT_FALSE(AvgPool2dInt8Supported(p));
  p.kernel_width = 2047;
  EXPECT_TRUE(AvgPool2dInt8Supported(p));
}

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
