// FFT2D and RFFT2D on the Vulkan backend against the CPU backend's: the GPU sums in fp32 and the
// CPU in fp64, so outputs agree within a bound that grows with the sum's length and magnitude;
// RFFT2D's purely real bins have an imaginary part of exactly zero on both.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using testing::Buffers;

std::vector<float> Floats(const std::vector<uint8_t>& bytes) {
  std::vector<float> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

std::vector<uint8_t> RandomImage(std::mt19937& rng, size_t count) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float& v : values) v = dist(rng);
  return BytesOf(values);
}

// Both outputs of `builder`'s graph on both backends, element by element within `bound`.
void ExpectBothOutputsClose(GraphBuilder& builder, const Buffers& inputs, float bound,
                            const std::string& what) {
  auto graph = builder.Build();
  auto cpu = testing::RunOnCpu(graph, inputs);
  ASSERT_TRUE(cpu.ok()) << what << ": " << cpu.status();
  auto gpu = testing::RunOnGpu(graph, inputs);
  ASSERT_TRUE(gpu.ok()) << what << ": " << gpu.status();
  for (size_t output = 0; output < 2; ++output) {
    const std::vector<float> expected = Floats((*cpu)[output]), got = Floats((*gpu)[output]);
    ASSERT_EQ(expected.size(), got.size()) << what;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_NEAR(got[i], expected[i], bound) << what << ": output " << output << " bin " << i;
    }
  }
}

TEST(VulkanFftOpsTest, Fft2dForwardAndInverseAgreeWithTheCpu) {
  std::mt19937 rng(5);
  const Shape shape = {2, 8, 16};
  for (bool inverse : {false, true}) {
    GraphBuilder builder;
    const auto real = builder.Input("real", DType::kFp32, shape);
    const auto imag = builder.Input("imag", DType::kFp32, shape);
    const auto out_real = builder.Tensor("out_real", DType::kFp32, shape);
    const auto out_imag = builder.Tensor("out_imag", DType::kFp32, shape);
    builder.Add(Op::kFft2d, graph::Fft2dAttr{inverse, false}, {real, imag}, {out_real, out_imag});
    builder.Output(out_real);
    builder.Output(out_imag);
    // 128 terms of magnitude below sqrt(2): fp32 sums stay within about 1e-4 of the exact value.
    ExpectBothOutputsClose(builder, {RandomImage(rng, 256), RandomImage(rng, 256)}, 2e-3f,
                           inverse ? "inverse FFT2D" : "FFT2D");
  }
}

TEST(VulkanFftOpsTest, Rfft2dAgreesWithTheCpuAndItsRealBinsHaveNoImaginaryPart) {
  std::mt19937 rng(6);
  GraphBuilder builder;
  const auto input = builder.Input("input", DType::kFp32, {1, 16, 8});
  const auto out_real = builder.Tensor("out_real", DType::kFp32, {1, 16, 5});
  const auto out_imag = builder.Tensor("out_imag", DType::kFp32, {1, 16, 5});
  builder.Add(Op::kRfft2d, graph::Rfft2dAttr{false}, {input}, {out_real, out_imag});
  builder.Output(out_real);
  builder.Output(out_imag);
  const Buffers inputs = {RandomImage(rng, 128)};
  ExpectBothOutputsClose(builder, inputs, 2e-3f, "RFFT2D");
  auto gpu = testing::RunOnGpu(builder.Build(), inputs);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  const std::vector<float> imag = Floats((*gpu)[1]);
  // Bins (0, 0), (0, W/2), (H/2, 0) and (H/2, W/2) are real.
  for (size_t bin : {0u, 4u, 8u * 5u, 8u * 5u + 4u}) EXPECT_EQ(imag[bin], 0.0f) << "bin " << bin;
}

}  // namespace
}  // namespace inferd::vulkan
