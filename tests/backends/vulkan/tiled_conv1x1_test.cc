// Wide 1x1 stride-1 unpadded CONV2Ds on the shared-memory tiled shader (matmul_tiled.comp built
// with CONV1X1, op_lowering_tiled.cc): which convolutions take it and which keep the
// register-blocked shader; INT8 byte-identical to the CPU backend, alone (INT32 sums) and with the
// fused RESCALE and CLAMP, for pixel and channel counts that are not multiples of either tile,
// batches, zero points at the ends of INT8's range, per-channel and per-tensor rescales, with and
// without a CLAMP, with the 64-bit and the exact 32-bit rescale, both register blocks and int8 dot
// products (forced on lavapipe) or not; FP32 alone and with its CLAMP within rounding of the CPU.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/program_lowering.h"
#include "tests/backends/cpu/graph_builder.h"
#include "tests/backends/vulkan/convolution_chains.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using graph::TensorId;
using testing::ChainCase;
using testing::ChainGraph;
using testing::ConvolutionAttribute;
using testing::Describe;
using testing::RandomFloats;
using testing::RandomValues;
using testing::ShadersOf;
using IntegerDotProduct = GraphProgramOptions::IntegerDotProduct;
using TiledPointwiseConvolution = GraphProgramOptions::TiledPointwiseConvolution;
constexpr TiledPointwiseConvolution kTiled = TiledPointwiseConvolution::kAlways;

// A 1x1 INT8 chain (CONV2D, RESCALE, maybe CLAMP) of `ic` -> `oc` channels over h x w pixels.
ChainCase Pointwise(int64_t h, int64_t w, int64_t ic, int64_t oc, int8_t input_zp, int8_t weight_zp,
                    bool per_channel, bool scale32, bool double_round, int8_t output_zp,
                    std::optional<std::pair<int8_t, int8_t>> clamp) {
  return ChainCase{false,        h,      w,        ic,        oc,          1,       1,
                   {0, 0, 0, 0}, {1, 1}, input_zp, weight_zp, per_channel, scale32, double_round,
                   output_zp,    false,  clamp};
}

// One INT8 1x1 CONV2D into INT32 whose sums are the graph's output.
GraphBuilder Int8Convolution(const ChainCase& c, std::mt19937& rng, testing::Buffers& inputs,
                             int64_t batch = 1) {
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, {batch, c.h, c.w, c.ic});
  int64_t max_sum = 0;
  b.Output(testing::AddInt8Convolution(b, c, x, rng, max_sum, batch));
  inputs = {BytesOf(RandomValues<int8_t>(rng, batch * c.h * c.w * c.ic, -128, 127))};
  return b;
}

// An FP32 CONV2D of `kernel` x `kernel` (stride and padding as given), with a CLAMP to [0, 6] after
// it when `clamp`.
GraphBuilder Fp32Convolution(int64_t batch, int64_t h, int64_t w, int64_t ic, int64_t oc,
                             int64_t kernel, std::vector<int32_t> pad, std::vector<int32_t> stride,
                             bool clamp, std::mt19937& rng) {
  GraphBuilder b;
  const auto x = b.Input("x", DType::kFp32, {batch, h, w, ic});
  const auto weight = b.Const("w", DType::kFp32, {oc, kernel, kernel, ic},
                              RandomFloats(rng, oc * kernel * kernel * ic));
  const auto bias = b.Const("b", DType::kFp32, {oc}, RandomFloats(rng, oc));
  const auto zero = b.Const("zp", DType::kFp32, {1}, std::vector<float>{0});
  const int64_t oh = testing::ConvOutSize(h, kernel, pad[0], pad[1], stride[0], 1);
  const int64_t ow = testing::ConvOutSize(w, kernel, pad[2], pad[3], stride[1], 1);
  const auto y = b.Tensor("y", DType::kFp32, {batch, oh, ow, oc});
  b.Add(Op::kConv2d, ConvolutionAttribute<graph::Conv2dAttr>(pad, stride, DType::kFp32),
        {x, weight, bias, zero, zero}, {y});
  if (!clamp) {
    b.Output(y);
    return b;
  }
  const auto clamped = b.Tensor("clamped", DType::kFp32, {batch, oh, ow, oc});
  graph::ClampAttr attr;
  attr.min_val = BytesOf(std::vector<float>{0.0f});
  attr.max_val = BytesOf(std::vector<float>{6.0f});
  b.Add(Op::kClamp, attr, {y}, {clamped});
  b.Output(clamped);
  return b;
}

TEST(VulkanTiledConv1x1Test, WideOneByOneConvolutionsTakeTheTiledShaderAndOthersKeepTheirs) {
  std::mt19937 rng(61);
  testing::Buffers inputs;
  const std::optional<std::pair<int8_t, int8_t>> relu = testing::kRelu;
  // MobileNetV2's widest expansion, 56x56x24 -> 144: 64 x 64 tiles, the chain fused.
  GraphBuilder wide =
      ChainGraph(Pointwise(56, 56, 24, 144, -128, 0, true, true, false, 5, relu), rng, inputs);
  EXPECT_EQ(ShadersOf(wide), std::vector<std::string>{"conv1x1_tiled_i8_t8_rescale"});
  EXPECT_EQ(ShadersOf(wide, {.integer_dot_product = true}),
            std::vector<std::string>{"conv1x1_tiled_i8_dot_t8_rescale"});
  EXPECT_EQ(ShadersOf(wide, {.matmul_register_block = 4}),
            std::vector<std::string>{"conv1x1_tiled_i8_t4_rescale"});
  EXPECT_EQ(ShadersOf(wide, {.tiled_pointwise_convolution = false}),
            std::vector<std::string>{"conv2d_blocked_i8_c4_p4_k1_rescale"});
  // Without subgroup shuffle the tiled shader still applies (it needs none).
  EXPECT_EQ(ShadersOf(wide, {.subgroup_shuffle = false}),
            std::vector<std::string>{"conv1x1_tiled_i8_t8_rescale"});
  // Unfused (the sums are the output), 36 channels: 32 x 32 tiles.
  GraphBuilder alone =
      Int8Convolution(Pointwise(9, 7, 40, 36, 0, 0, true, true, false, 0, relu), rng, inputs);
  EXPECT_EQ(ShadersOf(alone), std::vector<std::string>{"conv1x1_tiled_i8_t4"});
  // Kept on the register-blocked shader: too few output channels, input channels or pixels;
  // OC not a multiple of 4 (the plain shader then); a 3x3 kernel, stride 2 or padding.
  struct Kept {
    ChainCase c;
    std::string shader;
  };
  // clang-format off
  const Kept kept[] = {
      {Pointwise(56, 56, 144, 24, 0, 0, true, true, false, 0, relu), "conv2d_blocked_i8_c16_p4_k1_rescale"},
      {Pointwise(56, 56, 8, 64, 0, 0, true, true, false, 0, relu), "conv2d_blocked_i8_c4_p4_k1_rescale"},
      {Pointwise(5, 5, 64, 64, 0, 0, true, true, false, 0, relu), "conv2d_blocked_i8_c16_p1_k1_rescale"},
      {{false, 20, 20, 32, 64, 3, 3, {1, 1, 1, 1}, {1, 1}, 0, 0, true, true, false, 0, false, relu},
       "conv2d_blocked_i8_c16_p4_rescale"},
      {{false, 21, 21, 32, 64, 1, 1, {0, 0, 0, 0}, {2, 2}, 0, 0, true, true, false, 0, false, relu},
       "conv2d_blocked_i8_c16_p2_k1_rescale"},
      {{false, 20, 20, 32, 64, 1, 1, {1, 0, 0, 0}, {1, 1}, 0, 0, true, true, false, 0, false, relu},
       "conv2d_blocked_i8_c16_p4_rescale"},
  };
  // clang-format on
  for (const Kept& k : kept) {
    GraphBuilder b = ChainGraph(k.c, rng, inputs);
    EXPECT_EQ(ShadersOf(b), std::vector<std::string>{k.shader}) << Describe(k.c);
  }
  GraphBuilder odd =
      ChainGraph(Pointwise(20, 20, 32, 66, 0, 0, true, true, false, 0, relu), rng, inputs);
  EXPECT_EQ(ShadersOf(odd).front(), "conv_i8");
  // FP32: alone, and with its CLAMP fused.
  GraphBuilder fp32 = Fp32Convolution(1, 28, 28, 32, 192, 1, {0, 0, 0, 0}, {1, 1}, false, rng);
  EXPECT_EQ(ShadersOf(fp32), std::vector<std::string>{"conv1x1_tiled_f32_t8"});
  GraphBuilder fp32_clamp = Fp32Convolution(1, 7, 7, 160, 40, 1, {0, 0, 0, 0}, {1, 1}, true, rng);
  EXPECT_EQ(ShadersOf(fp32_clamp), std::vector<std::string>{"conv1x1_tiled_f32_t4_clamp"});
  GraphBuilder fp32_stem = Fp32Convolution(1, 28, 28, 3, 32, 3, {0, 1, 0, 1}, {2, 2}, true, rng);
  EXPECT_EQ(ShadersOf(fp32_stem), std::vector<std::string>{"conv2d_blocked_f32_c1_p4_clamp"});
  // Its input, 28 * 28 * 3 floats, through a texel buffer of a float a texel where one fits.
  EXPECT_EQ(ShadersOf(fp32_stem, {.max_texel_elements = 28 * 28 * 3}),
            std::vector<std::string>{"conv2d_blocked_f32_c1_p4_texel_clamp"});
  EXPECT_EQ(ShadersOf(fp32_stem, {.max_texel_elements = 28 * 28 * 3 - 1}),
            std::vector<std::string>{"conv2d_blocked_f32_c1_p4_clamp"});
}

// The GPU runs every chain with each of these; every one must give the CPU's bytes.
// The tiled shader is forced on: lavapipe, a CPU implementation, would not take it by default.
const GraphProgramOptions kRuns[] = {
    {.tiled_pointwise_convolution = kTiled},
    {.use_int64 = false, .tiled_pointwise_convolution = kTiled},
    {.tiled_pointwise_convolution = kTiled,
     .integer_dot_product = IntegerDotProduct::kWhereSupported},
    {.use_int64 = false,
     .tiled_pointwise_convolution = kTiled,
     .integer_dot_product = IntegerDotProduct::kWhereSupported},
    // Each register block at sizes where the other would be chosen.
    {.tiled_pointwise_convolution = kTiled,
     .matmul_register_block = 8,
     .integer_dot_product = IntegerDotProduct::kOff},
    {.tiled_pointwise_convolution = kTiled,
     .matmul_register_block = 4,
     .integer_dot_product = IntegerDotProduct::kWhereSupported},
};

std::string OptionsName(const GraphProgramOptions& options) {
  return absl::StrCat(options.integer_dot_product == IntegerDotProduct::kWhereSupported
                          ? " (int8 dot products)"
                          : "",
                      options.matmul_register_block != 0
                          ? absl::StrCat(" (register block ", options.matmul_register_block, ")")
                          : "");
}

TEST(VulkanTiledConv1x1Test, Int8ChainsMatchTheCpuByteForByte) {
  std::mt19937 rng(67);
  struct Case {
    ChainCase c;
    int64_t batch;
  };
  // clang-format off
  const Case cases[] = {
      // h, w, ic, oc, input_zp, weight_zp, per_channel, scale32, double_round, output_zp, clamp
      // 143 pixels and 36 channels: neither a multiple of a tile; IC one past a staging step.
      {Pointwise(13, 11, 17, 36, -128, 127, true, true, false, -128, std::pair<int8_t, int8_t>{-128, 127}), 1},
      // A batch of 2 (the pixels of both images are the rows), 68 channels, double rounding.
      {Pointwise(9, 7, 33, 68, 7, -1, true, true, true, 5, std::pair<int8_t, int8_t>{-20, 70}), 2},
      // Per tensor, no CLAMP, IC not a multiple of 4, 100 channels.
      {Pointwise(10, 10, 50, 100, -5, 0, false, true, false, -3, std::nullopt), 1},
      // INT16 multipliers, ReLU, 64 x 64 tiles with two rows of tiles.
      {Pointwise(12, 11, 64, 96, 0, -128, true, false, false, 10, testing::kRelu), 1},
      // The MobileNetV2 shape 28x28x32 -> 192 with its zero points at 0.
      {Pointwise(28, 28, 32, 192, 0, 0, true, true, false, 0, std::pair<int8_t, int8_t>{-60, 60}), 1},
  };
  // clang-format on
  for (const Case& k : cases) {
    testing::Buffers inputs;
    GraphBuilder b = ChainGraph(k.c, rng, inputs, k.batch);
    auto device = testing::DefaultDevice();
    ASSERT_NE(device, nullptr);
    auto program = GraphProgram::Create(device, b.Build(), 1, kRuns[0]);
    ASSERT_TRUE(program.ok()) << program.status();
    EXPECT_EQ((*program)->dispatch_count(), 1u) << Describe(k.c);
    ASSERT_EQ(ShadersOf(b).front().rfind("conv1x1_tiled_i8_", 0), 0u) << Describe(k.c);
    for (const GraphProgramOptions& options : kRuns) {
      testing::ExpectSameOnBothBackendsWith(b, inputs, Describe(k.c) + OptionsName(options), true,
                                            options);
    }
  }
}

TEST(VulkanTiledConv1x1Test, Int8SumsAloneMatchTheCpuByteForByte) {
  std::mt19937 rng(71);
  // The sums (bias included) as the graph's output: no epilogue.
  for (const auto& [c, batch] :
       {std::pair{Pointwise(7, 9, 20, 44, 3, -7, true, true, false, 0, std::nullopt), int64_t{3}},
        std::pair{Pointwise(16, 16, 48, 64, -128, 127, true, true, false, 0, std::nullopt),
                  int64_t{1}}}) {
    testing::Buffers inputs;
    GraphBuilder b = Int8Convolution(c, rng, inputs, batch);
    ASSERT_EQ(ShadersOf(b).front().rfind("conv1x1_tiled_i8_", 0), 0u);
    for (const GraphProgramOptions& options : kRuns) {
      testing::ExpectSameOnBothBackendsWith(b, inputs, Describe(c) + " sums" + OptionsName(options),
                                            true, options);
    }
  }
  // A single bias for all channels.
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, {1, 6, 7, 32});
  const auto w =
      b.Const("w", DType::kInt8, {40, 1, 1, 32}, RandomValues<int8_t>(rng, 1280, -128, 127));
  const auto bias = b.Const("b", DType::kInt32, {1}, std::vector<int32_t>{-12345});
  const auto izp = b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{-9});
  const auto wzp = b.Const("wzp", DType::kInt8, {1}, std::vector<int8_t>{4});
  const auto y = b.Tensor("y", DType::kInt32, {1, 6, 7, 40});
  b.Add(Op::kConv2d, ConvolutionAttribute<graph::Conv2dAttr>({0, 0, 0, 0}, {1, 1}, DType::kInt32),
        {x, w, bias, izp, wzp}, {y});
  b.Output(y);
  EXPECT_EQ(ShadersOf(b), std::vector<std::string>{"conv1x1_tiled_i8_t4"});
  const testing::Buffers inputs = {BytesOf(RandomValues<int8_t>(rng, 6 * 7 * 32, -128, 127))};
  for (const GraphProgramOptions& options : kRuns) {
    testing::ExpectSameOnBothBackendsWith(b, inputs, "one bias" + OptionsName(options), true,
                                          options);
  }
}

TEST(VulkanTiledConv1x1Test, Fp32IsWithinRoundingOfTheCpu) {
  std::mt19937 rng(73);
  struct Case {
    int64_t batch, h, w, ic, oc;
    bool clamp;
  };
  for (const Case& c : {Case{1, 13, 11, 33, 68, true}, Case{2, 8, 9, 64, 36, false},
                        Case{1, 14, 14, 96, 192, true}}) {
    GraphBuilder b =
        Fp32Convolution(c.batch, c.h, c.w, c.ic, c.oc, 1, {0, 0, 0, 0}, {1, 1}, c.clamp, rng);
    const std::vector<std::string> shaders = ShadersOf(b);
    ASSERT_EQ(shaders.size(), 1u);
    EXPECT_EQ(shaders[0].rfind("conv1x1_tiled_f32_", 0), 0u) << shaders[0];
    // At most 96 products of values below 1 in magnitude, summed in another order than the CPU.
    testing::ExpectFp32Close(
        b, {BytesOf(RandomFloats(rng, c.batch * c.h * c.w * c.ic))}, 1e-4f,
        absl::StrCat("FP32 1x1 CONV2D ", c.ic, "->", c.oc, c.clamp ? " + CLAMP" : ""), kRuns[0]);
  }
}

}  // namespace
}  // namespace inferd::vulkan
