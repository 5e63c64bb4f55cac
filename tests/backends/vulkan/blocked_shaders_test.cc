// The register-blocked convolution and MATMUL shaders (op_lowering_blocked.cc) against the CPU
// backend: every load width they pick (16 or 4 packed int8, vec4, one element), a last block of 4
// output channels, zero points, padding, strides, dilation, batches and pixel counts that do not
// fill a workgroup. Integer outputs must be byte-identical; FP32 within rounding.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/backends/cpu/graph_builder.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using testing::ExpectSameOnBothBackends;
using testing::RandomFloats;
using testing::RandomValues;
using testing::ShadersOf;

struct ConvCase {
  int64_t n, h, w, ic, oc, kh, kw;
  std::vector<int32_t> pad, stride, dilation;
  int8_t input_zp, weight_zp;
  bool per_channel_bias;
};

// Random INT8 values, or with `extremes` only -128 and 127.
std::vector<int8_t> Int8Values(std::mt19937& rng, int64_t count, bool extremes) {
  std::vector<int8_t> values = RandomValues<int8_t>(rng, count, -128, 127);
  if (extremes) {
    for (int8_t& v : values) v = v < 0 ? int8_t{-128} : int8_t{127};
  }
  return values;
}

// CONV2D (depthwise false: oc output channels) or DEPTHWISE_CONV2D (channel multiplier 1, oc
// ignored) of an INT8 input `x` [n, h, w, ic]; the bias a constant, or with `bias_input` the
// graph's second input. Returns the output's id.
graph::TensorId AddInt8Convolution(GraphBuilder& b, const ConvCase& c, bool depthwise,
                                   bool extremes, bool bias_input, std::mt19937& rng) {
  const int64_t oh =
      testing::ConvOutSize(c.h, c.kh, c.pad[0], c.pad[1], c.stride[0], c.dilation[0]);
  const int64_t ow =
      testing::ConvOutSize(c.w, c.kw, c.pad[2], c.pad[3], c.stride[1], c.dilation[1]);
  const int64_t oc = depthwise ? c.ic : c.oc;
  const auto x = b.Input("x", DType::kInt8, {c.n, c.h, c.w, c.ic});
  const Shape weight_shape = depthwise ? Shape{c.kh, c.kw, c.ic, 1} : Shape{c.oc, c.kh, c.kw, c.ic};
  const auto weight = b.Const("w", DType::kInt8, weight_shape,
                              Int8Values(rng, oc * c.kh * c.kw * (depthwise ? 1 : c.ic), extremes));
  const int64_t bias_count = c.per_channel_bias ? oc : 1;
  std::vector<int32_t> bias = RandomValues<int32_t>(rng, bias_count, -100000, 100000);
  bias[0] = std::numeric_limits<int32_t>::min() / 2;
  const auto bias_id = bias_input ? b.Input("b", DType::kInt32, {bias_count})
                                  : b.Const("b", DType::kInt32, {bias_count}, bias);
  const auto izp = b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{c.input_zp});
  const auto wzp = b.Const("wzp", DType::kInt8, {1}, std::vector<int8_t>{c.weight_zp});
  const auto y = b.Tensor("y", DType::kInt32, {c.n, oh, ow, oc});
  if (depthwise) {
    graph::DepthwiseConv2dAttr attr;
    attr.pad = c.pad;
    attr.stride = c.stride;
    attr.dilation = c.dilation;
    attr.acc_type = DType::kInt32;
    b.Add(Op::kDepthwiseConv2d, attr, {x, weight, bias_id, izp, wzp}, {y});
  } else {
    graph::Conv2dAttr attr;
    attr.pad = c.pad;
    attr.stride = c.stride;
    attr.dilation = c.dilation;
    attr.acc_type = DType::kInt32;
    b.Add(Op::kConv2d, attr, {x, weight, bias_id, izp, wzp}, {y});
  }
  b.Output(y);
  return y;
}

std::string Describe(const ConvCase& c, bool depthwise) {
  return std::string(depthwise ? "DEPTHWISE_CONV2D " : "CONV2D ") + std::to_string(c.ic) + "->" +
         std::to_string(depthwise ? c.ic : c.oc) + " " + std::to_string(c.kh) + "x" +
         std::to_string(c.kw) + " zero points " + std::to_string(c.input_zp) + ", " +
         std::to_string(c.weight_zp);
}

// The convolution over random INT8 data (with `extremes`, weights and inputs of -128 and 127 only)
// on both backends.
void ExpectInt8ConvolutionMatches(const ConvCase& c, bool depthwise, std::mt19937& rng,
                                  bool extremes = false) {
  GraphBuilder b;
  AddInt8Convolution(b, c, depthwise, extremes, false, rng);
  ExpectSameOnBothBackends(b, {BytesOf(Int8Values(rng, c.n * c.h * c.w * c.ic, extremes))},
                           Describe(c, depthwise));
}

TEST(VulkanBlockedShadersTest, Conv2dInt8AtEveryLoadWidth) {
  std::mt19937 rng(23);
  const ConvCase cases[] = {
      // 16 packed int8 per load, 1x1, a last block of 4 channels, 198 pixels over a batch of 2.
      {2, 9, 11, 16, 12, 1, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, -128, 5, true},
      // 16 per load, 3x3 with padding and stride 2.
      {1, 13, 11, 32, 24, 3, 3, {1, 1, 1, 1}, {2, 2}, {1, 1}, 127, -1, true},
      // 4 per load, uneven padding, strides and dilation, one bias for every channel.
      {1, 12, 9, 12, 8, 3, 2, {0, 2, 1, 0}, {1, 2}, {2, 1}, -7, 0, false},
      // 4 per load, 323 pixels (not a multiple of the 128 a workgroup takes).
      {1, 17, 19, 20, 4, 1, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, 3, 0, true},
      // 16 per load, 1056 pixels: four per invocation.
      {1, 32, 33, 16, 8, 1, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, -128, 0, true},
      // One element per load, 1024 pixels (four per invocation), padding.
      {1, 32, 32, 3, 4, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, 5, 1, true},
      // One element per load (the MobileNet stem's 3 channels), stride 2.
      {1, 16, 14, 3, 36, 3, 3, {0, 1, 0, 1}, {2, 2}, {1, 1}, -128, 0, true},
  };
  for (const ConvCase& c : cases) ExpectInt8ConvolutionMatches(c, false, rng);
}

TEST(VulkanBlockedShadersTest, DepthwiseConv2dInt8WithoutMultiplier) {
  std::mt19937 rng(29);
  const ConvCase cases[] = {
      // 3 wide with dilation 1 and stride 1 or 2 across: depthwise_rows.comp; otherwise
      // depthwise_blocked.comp.
      // 12 channels: a last block of 4; padding on every side, zero points.
      {1, 10, 9, 12, 0, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, -128, 2, true},
      // 16 channels, stride 2, dilation 2, uneven padding, batch 2, one bias.
      {2, 12, 12, 16, 0, 3, 3, {0, 1, 2, 1}, {2, 2}, {2, 2}, 100, 0, false},
      // 72 pixels x 40 channels, stride 1 and no padding.
      {1, 10, 11, 40, 0, 3, 3, {0, 0, 0, 0}, {1, 1}, {1, 1}, -1, -3, true},
      // 306 pixels: two per invocation.
      {1, 18, 17, 8, 0, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, -128, 0, true},
      // 1089 pixels, 3 wide: runs of 4 along each row, the last one partial.
      {1, 33, 33, 12, 0, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, 9, 0, true},
      // Stride 2 across, 2 tall, rows of 9 (a partial run), batch 2, a last block of 4 channels.
      {2, 9, 17, 20, 0, 2, 3, {0, 1, 1, 1}, {1, 2}, {1, 1}, -128, 4, true},
      // 3 wide but not 3 high (depthwise_rows' loop over the rows, not the "_k3" variants): 5
      // tall, 4 tall with dilation 2 down, 1 tall; nonzero zero points.
      {1, 11, 10, 12, 0, 5, 3, {2, 2, 1, 1}, {1, 1}, {1, 1}, 37, -5, true},
      {1, 14, 9, 8, 0, 4, 3, {1, 2, 1, 1}, {2, 2}, {2, 1}, -100, 3, true},
      {1, 7, 9, 16, 0, 1, 3, {0, 0, 1, 1}, {1, 1}, {1, 1}, 127, -128, true},
      // 5 wide (the blocked shader): 1056 pixels, four per invocation.
      {1, 36, 37, 8, 0, 5, 5, {2, 2, 2, 2}, {1, 1}, {1, 1}, 17, 0, true},
      // 5 wide, 306 pixels: two per invocation.
      {1, 18, 17, 8, 0, 5, 5, {2, 2, 2, 2}, {1, 1}, {1, 1}, -2, 1, false},
  };
  for (const ConvCase& c : cases) ExpectInt8ConvolutionMatches(c, true, rng);
}

// The blocked INT8 shaders sum (x + 128) * (w - weight_zp) and take the input's offset off the bias
// at load: zero points at both ends of INT8's range, weights and inputs only -128 and 127 (every
// product at its largest), padded taps (which read input_zp), each load width and both depthwise
// shaders.
TEST(VulkanBlockedShadersTest, Int8ConvolutionsAtTheEndsOfTheZeroPointRange) {
  std::mt19937 rng(31);
  for (const int8_t input_zp : {int8_t{-128}, int8_t{127}}) {
    for (const int8_t weight_zp : {int8_t{-128}, int8_t{127}}) {
      const ConvCase convolutions[] = {
          {1, 7, 9, 32, 12, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, input_zp, weight_zp, true},
          {1, 7, 9, 8, 8, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, input_zp, weight_zp, false},
          {1, 9, 9, 3, 8, 3, 3, {1, 1, 1, 1}, {2, 2}, {1, 1}, input_zp, weight_zp, true},
      };
      for (const ConvCase& c : convolutions) ExpectInt8ConvolutionMatches(c, false, rng, true);
      const ConvCase depthwise[] = {
          {1, 7, 9, 12, 0, 3, 3, {1, 1, 1, 1}, {1, 2}, {1, 1}, input_zp, weight_zp, false},
          {1, 7, 9, 8, 0, 5, 5, {2, 2, 2, 2}, {1, 1}, {1, 1}, input_zp, weight_zp, true},
      };
      for (const ConvCase& c : depthwise) ExpectInt8ConvolutionMatches(c, true, rng, true);
    }
  }
}

// Folding the input's offset into the bias needs a constant bias: one the graph computes leaves
// CONV2D to the plain shader and DEPTHWISE_CONV2D to depthwise_blocked.comp, with the same bytes.
TEST(VulkanBlockedShadersTest, Int8ConvolutionsWithAComputedBiasKeepTheOtherShaders) {
  std::mt19937 rng(37);
  const ConvCase conv{1, 6, 7, 16, 8, 1, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, -5, 3, true};
  const ConvCase depthwise{1, 6, 7, 8, 0, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, 9, -2, true};
  const std::vector<int32_t> bias = RandomValues<int32_t>(rng, 8, -100000, 100000);
  for (const bool is_depthwise : {false, true}) {
    const ConvCase& c = is_depthwise ? depthwise : conv;
    GraphBuilder constant_bias;
    AddInt8Convolution(constant_bias, c, is_depthwise, false, false, rng);
    EXPECT_EQ(ShadersOf(constant_bias),
              std::vector<std::string>{is_depthwise ? "depthwise_rows_i8_s1_k3_shared"
                                                    : "conv2d_blocked_i8_c16_p1_k1"});
    // Without subgroup shuffle the depthwise shader loads its weights itself.
    if (is_depthwise) {
      EXPECT_EQ(ShadersOf(constant_bias, {.subgroup_shuffle = false}),
                std::vector<std::string>{"depthwise_rows_i8_s1_k3"});
    }
    GraphBuilder computed_bias;
    AddInt8Convolution(computed_bias, c, is_depthwise, false, true, rng);
    EXPECT_EQ(ShadersOf(computed_bias),
              std::vector<std::string>{is_depthwise ? "depthwise_blocked_i8_p1" : "conv_i8"});
    ExpectSameOnBothBackends(
        computed_bias, {BytesOf(Int8Values(rng, c.n * c.h * c.w * c.ic, false)), BytesOf(bias)},
        Describe(c, is_depthwise) + " with a computed bias");
  }
}

// Where the device's texel buffers are long enough for the input, CONV2D (16 or 4 int8, or 4
// floats, a load) and the 3-wide DEPTHWISE_CONV2D read it through one (the "_texel" variants); an
// input longer than the device allows keeps storage buffers, and so does the depthwise shader
// without subgroup shuffle. (Every byte-identity test above runs both ways:
// ExpectSameOnBothBackends.)
TEST(VulkanBlockedShadersTest, InputsThatFitATexelBufferAreReadThroughOne) {
  std::mt19937 rng(47);
  const ConvCase conv{1, 6, 7, 16, 8, 1, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, -5, 3, true};
  const ConvCase depthwise{1, 6, 7, 8, 0, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, 9, -2, true};
  // The inputs hold 6 * 7 * 16 / 16 = 42 and 6 * 7 * 8 / 4 = 84 texels.
  for (const bool is_depthwise : {false, true}) {
    GraphBuilder b;
    AddInt8Convolution(b, is_depthwise ? depthwise : conv, is_depthwise, false, false, rng);
    const std::string plain =
        is_depthwise ? "depthwise_rows_i8_s1_k3_shared" : "conv2d_blocked_i8_c16_p1_k1";
    const int64_t texels = is_depthwise ? 84 : 42;
    EXPECT_EQ(ShadersOf(b, {.max_texel_elements = static_cast<uint64_t>(texels)}),
              std::vector<std::string>{plain + "_texel"});
    EXPECT_EQ(ShadersOf(b, {.max_texel_elements = static_cast<uint64_t>(texels - 1)}),
              std::vector<std::string>{plain});
    EXPECT_EQ(ShadersOf(b), std::vector<std::string>{plain});  // the default: none
  }
  GraphBuilder b;
  AddInt8Convolution(b, depthwise, true, false, false, rng);
  EXPECT_EQ(ShadersOf(b, {.subgroup_shuffle = false, .max_texel_elements = 1 << 20}),
            std::vector<std::string>{"depthwise_rows_i8_s1_k3"});
  // INT8 with 3 input channels takes its bytes out of whole words of a texel buffer: an input of
  // 16 * 14 * 3 bytes is 168 words; one of 5 * 7 * 3 = 105 bytes ends inside a word and keeps a
  // storage buffer.
  const ConvCase stems[] = {
      {1, 16, 14, 3, 8, 3, 3, {0, 1, 0, 1}, {2, 2}, {1, 1}, 9, 0, true},
      {1, 5, 7, 3, 8, 3, 3, {1, 1, 1, 1}, {2, 2}, {1, 1}, 9, 0, true},
  };
  for (const ConvCase& stem : stems) {
    const bool whole_words = stem.h * stem.w * stem.ic % 4 == 0;
    GraphBuilder g;
    AddInt8Convolution(g, stem, false, false, false, rng);
    const std::vector<std::string> shaders = ShadersOf(g, {.max_texel_elements = 1 << 20});
    ASSERT_EQ(shaders.size(), 1u);
    EXPECT_EQ(shaders[0].ends_with("_texel"), whole_words) << shaders[0];
    ExpectInt8ConvolutionMatches(stem, false, rng, false);
  }
}

// Pixels per invocation: the most of 4, 2, 1 that leaves no more than a quarter of the invocations
// without a pixel of their own (64-invocation workgroups, one team each, as on a device whose
// subgroups may have 64 invocations); bytes as the CPU's at each (on the test's device, teams as
// its subgroups allow).
TEST(VulkanBlockedShadersTest, EachInvocationTakesAsManyPixelsAsKeepMostInvocationsBusy) {
  std::mt19937 rng(53);
  struct Case {
    int64_t h, w;
    const char* shader;
  };
  const Case cases[] = {
      {7, 7, "conv2d_blocked_i8_c16_p1_k1"},    // 49 pixels: 2 and 4 would leave 62% and 81% idle
      {8, 8, "conv2d_blocked_i8_c16_p1_k1"},    // 64: 2 would leave half idle
      {11, 11, "conv2d_blocked_i8_c16_p2_k1"},  // 121 of 128
      {14, 14, "conv2d_blocked_i8_c16_p4_k1"},  // 196 of 256
      {12, 16, "conv2d_blocked_i8_c16_p4_k1"},  // 192 of 256: exactly a quarter idle
      {13, 14, "conv2d_blocked_i8_c16_p1_k1"},  // 182: 4 and 2 would both leave 29% idle
  };
  for (const Case& k : cases) {
    const ConvCase c{1, k.h, k.w, 16, 8, 1, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, -3, 2, true};
    GraphBuilder b;
    AddInt8Convolution(b, c, false, false, false, rng);
    EXPECT_EQ(ShadersOf(b), std::vector<std::string>{k.shader}) << Describe(c, false);
    ExpectInt8ConvolutionMatches(c, false, rng, false);
  }
}

// Where subgroups are small (lavapipe's have 8 invocations), a workgroup's invocations form teams
// of 8, 16 or 32, each on its own block of 8 output channels, so that few pixels still give each
// invocation 4 of them; teams never get smaller than the device's largest subgroup. Bytes as the
// CPU's with teams on lavapipe's subgroups, including a last workgroup whose spare teams return
// at once and blocks spread over several teams.
TEST(VulkanBlockedShadersTest, SmallSubgroupsLetFewPixelsSpreadOverSmallTeams) {
  std::mt19937 rng(59);
  struct Case {
    int64_t h, w, oc;
    uint32_t max_subgroup_size;
    const char* shader;
  };
  const Case cases[] = {
      {7, 7, 24, 8, "conv2d_blocked_i8_c16_p4_k1"},   // 49 of 64: teams of 16, 3 of 4 with a block
      {7, 7, 24, 32, "conv2d_blocked_i8_c16_p2_k1"},  // teams of 32 at least: 49 of 64
      {7, 7, 24, 64, "conv2d_blocked_i8_c16_p1_k1"},  // the whole workgroup, as above
      {5, 5, 40, 8, "conv2d_blocked_i8_c16_p4_k1"},   // 25 of 32: teams of 8, 5 of 8 with a block
      {9, 9, 16, 8, "conv2d_blocked_i8_c16_p4_k1"},   // 81 of 96: 3 teams of 8 a block
  };
  for (const Case& k : cases) {
    const ConvCase c{1, k.h, k.w, 16, k.oc, 1, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, 4, -6, true};
    GraphBuilder b;
    AddInt8Convolution(b, c, false, false, false, rng);
    EXPECT_EQ(ShadersOf(b, {.max_subgroup_size = k.max_subgroup_size}),
              std::vector<std::string>{k.shader})
        << Describe(c, false) << ", subgroups up to " << k.max_subgroup_size;
    ExpectInt8ConvolutionMatches(c, false, rng, true);
  }
  // A 3x3 convolution with padding in teams of 16 (7x7 output, stride 2).
  const ConvCase padded{1, 13, 13, 16, 16, 3, 3, {1, 1, 1, 1}, {2, 2}, {1, 1}, -9, 5, true};
  GraphBuilder b;
  AddInt8Convolution(b, padded, false, false, false, rng);
  EXPECT_EQ(ShadersOf(b, {.max_subgroup_size = 8}),
            std::vector<std::string>{"conv2d_blocked_i8_c16_p4"});
  ExpectInt8ConvolutionMatches(padded, false, rng, false);
}

// The blocked shaders divide their indices with common.glsl's DivideIndex (index_division_test.cc),
// exact below 2^30 and 2^20: from 2^22 output pixels on (or 2^30 teams), the lowering keeps to
// the shaders that divide with integers. Lowered only: running these takes minutes on lavapipe.
TEST(VulkanBlockedShadersTest, OutputsPastWhatTheIndexDivisionCoversTakeTheGeneralShaders) {
  std::mt19937 rng(61);
  struct Case {
    int64_t n, h, w;
    bool depthwise, blocked;
  };
  const Case cases[] = {
      {1, 2048, 2047, false, true}, {1, 2048, 2048, false, false}, {2, 1024, 2048, false, false},
      {1, 2048, 2047, true, true},  {1, 2048, 2048, true, false},
  };
  for (const Case& k : cases) {
    const ConvCase c{k.n, k.h, k.w, 16, 8, 1, 3, {0, 0, 1, 1}, {1, 1}, {1, 1}, 3, -2, true};
    GraphBuilder b;
    AddInt8Convolution(b, c, k.depthwise, false, false, rng);
    const std::vector<std::string> shaders = ShadersOf(b);
    ASSERT_EQ(shaders.size(), 1u) << Describe(c, k.depthwise);
    const bool blocked =
        shaders[0].starts_with("conv2d_blocked") || shaders[0].starts_with("depthwise_rows");
    EXPECT_EQ(blocked, k.blocked) << Describe(c, k.depthwise) << ": " << shaders[0];
  }
}

TEST(VulkanBlockedShadersTest, MatMulInt8FourColumnsAtATime) {
  std::mt19937 rng(31);
  struct Case {
    int64_t n, h, c, w;
    int8_t a_zp, b_zp;
  };
  // 8 columns and 67 elements summed (8 rounds of A's elements handed round a subgroup of 8, then
  // 3 loaded alone); 260 columns (65 groups of 4: two workgroups per row, the second mostly idle).
  // A goes round subgroups where the device has shuffles; B through a texel buffer where it fits
  // (ExpectSameOnBothBackends runs every way).
  for (const Case& k : {Case{2, 5, 67, 8, -128, 127}, Case{1, 3, 40, 260, 7, -2}}) {
    GraphBuilder b;
    const auto a = b.Input("a", DType::kInt8, {k.n, k.h, k.c});
    const auto bb = b.Input("b", DType::kInt8, {k.n, k.c, k.w});
    const auto azp = b.Const("azp", DType::kInt8, {1}, std::vector<int8_t>{k.a_zp});
    const auto bzp = b.Const("bzp", DType::kInt8, {1}, std::vector<int8_t>{k.b_zp});
    const auto y = b.Tensor("y", DType::kInt32, {k.n, k.h, k.w});
    b.Add(Op::kMatMul, {}, {a, bb, azp, bzp}, {y});
    b.Output(y);
    const uint64_t b_texels = static_cast<uint64_t>(k.n * k.c * k.w / 4);
    EXPECT_EQ(ShadersOf(b), std::vector<std::string>{"matmul_blocked_i8_shared"});
    EXPECT_EQ(ShadersOf(b, {.max_texel_elements = b_texels}),
              std::vector<std::string>{"matmul_blocked_i8_shared_texel"});
    EXPECT_EQ(ShadersOf(b, {.max_texel_elements = b_texels - 1}),
              std::vector<std::string>{"matmul_blocked_i8_shared"});
    EXPECT_EQ(ShadersOf(b, {.subgroup_shuffle = false, .max_texel_elements = b_texels}),
              std::vector<std::string>{"matmul_blocked_i8"});
    ExpectSameOnBothBackends(b,
                             {BytesOf(RandomValues<int8_t>(rng, k.n * k.h * k.c, -128, 127)),
                              BytesOf(RandomValues<int8_t>(rng, k.n * k.c * k.w, -128, 127))},
                             "MATMUL " + std::to_string(k.w) + " columns");
  }
}

TEST(VulkanBlockedShadersTest, Fp32ConvolutionsAndMatMulAreWithinRoundingOfTheCpu) {
  std::mt19937 rng(37);
  const auto zero = std::vector<float>{0};
  // CONV2D, a last block of 4 channels, padding, 612 pixels over a batch of 2 (four per
  // invocation): 8 input channels read as vec4, and 3 (a stem's) one float at a time, the weights
  // handed round the subgroup.
  for (const int64_t in_c : {8, 3}) {
    GraphBuilder b;
    const auto x = b.Input("x", DType::kFp32, {2, 35, 33, in_c});
    const auto w = b.Const("w", DType::kFp32, {12, 3, 3, in_c}, RandomFloats(rng, 12 * 9 * in_c));
    const auto bias = b.Const("b", DType::kFp32, {12}, RandomFloats(rng, 12));
    const auto izp = b.Const("izp", DType::kFp32, {1}, zero);
    const auto wzp = b.Const("wzp", DType::kFp32, {1}, zero);
    const auto y = b.Tensor("y", DType::kFp32, {2, 18, 17, 12});
    graph::Conv2dAttr attr;
    attr.pad = {1, 1, 1, 1};
    attr.stride = {2, 2};
    attr.dilation = {1, 1};
    attr.acc_type = DType::kFp32;
    b.Add(Op::kConv2d, attr, {x, w, bias, izp, wzp}, {y});
    b.Output(y);
    EXPECT_EQ(ShadersOf(b), std::vector<std::string>{
                                absl::StrCat("conv2d_blocked_f32_c", in_c == 8 ? 4 : 1, "_p4")});
    EXPECT_EQ(ShadersOf(b, {.max_texel_elements = 1 << 20}),
              std::vector<std::string>{
                  absl::StrCat("conv2d_blocked_f32_c", in_c == 8 ? 4 : 1, "_p4_texel")});
    // At most 72 products of magnitude below 1: a few ulps of 72 bound any summation order. The
    // input and weights through texel buffers, then storage buffers.
    const testing::Buffers inputs = {BytesOf(RandomFloats(rng, 2 * 35 * 33 * in_c))};
    const std::string what = absl::StrCat("CONV2D FP32, ", in_c, " input channels");
    testing::ExpectFp32Close(b, inputs, 2e-4f, what);
    testing::ExpectFp32Close(b, inputs, 2e-4f, what + " (storage buffers)", {.texel_loads = false});
  }
  // DEPTHWISE_CONV2D, 12 channels, 1056 pixels (four per invocation); then 5 tall, 3 wide (the
  // general depthwise_rows, which loops over the rows), 8 channels.
  for (const int64_t kernel_h : {3, 5}) {
    const int64_t h = kernel_h == 3 ? 32 : 9, w = kernel_h == 3 ? 33 : 10;
    const int64_t channels = kernel_h == 3 ? 12 : 8;
    GraphBuilder b;
    const auto x = b.Input("x", DType::kFp32, {1, h, w, channels});
    const auto weights = b.Const("w", DType::kFp32, {kernel_h, 3, channels, 1},
                                 RandomFloats(rng, kernel_h * 3 * channels));
    const auto bias = b.Const("b", DType::kFp32, {channels}, RandomFloats(rng, channels));
    const auto izp = b.Const("izp", DType::kFp32, {1}, zero);
    const auto wzp = b.Const("wzp", DType::kFp32, {1}, zero);
    const auto y = b.Tensor("y", DType::kFp32, {1, h, w, channels});
    graph::DepthwiseConv2dAttr attr;
    attr.pad = {static_cast<int32_t>(kernel_h / 2), static_cast<int32_t>(kernel_h / 2), 1, 1};
    attr.stride = {1, 1};
    attr.dilation = {1, 1};
    attr.acc_type = DType::kFp32;
    b.Add(Op::kDepthwiseConv2d, attr, {x, weights, bias, izp, wzp}, {y});
    b.Output(y);
    // The input and weights through texel buffers, then storage buffers.
    const testing::Buffers inputs = {BytesOf(RandomFloats(rng, h * w * channels))};
    const std::string what = absl::StrCat("DEPTHWISE_CONV2D FP32 ", kernel_h, "x3");
    testing::ExpectFp32Close(b, inputs, 1e-4f, what);
    testing::ExpectFp32Close(b, inputs, 1e-4f, what + " (storage buffers)", {.texel_loads = false});
  }
  {
    GraphBuilder b;
    const auto a = b.Input("a", DType::kFp32, {2, 3, 33});
    const auto bb = b.Input("b", DType::kFp32, {2, 33, 12});
    const auto azp = b.Const("azp", DType::kFp32, {1}, zero);
    const auto bzp = b.Const("bzp", DType::kFp32, {1}, zero);
    const auto y = b.Tensor("y", DType::kFp32, {2, 3, 12});
    b.Add(Op::kMatMul, {}, {a, bb, azp, bzp}, {y});
    b.Output(y);
    // 33 elements summed: 4 rounds of A's handed round a subgroup, then one; B through a texel
    // buffer (vec4 texels), then a storage buffer.
    const testing::Buffers inputs = {BytesOf(RandomFloats(rng, 2 * 3 * 33)),
                                     BytesOf(RandomFloats(rng, 2 * 33 * 12))};
    EXPECT_EQ(ShadersOf(b, {.max_texel_elements = 1 << 20}),
              std::vector<std::string>{"matmul_blocked_f32_shared_texel"});
    testing::ExpectFp32Close(b, inputs, 1e-4f, "MATMUL FP32");
    testing::ExpectFp32Close(b, inputs, 1e-4f, "MATMUL FP32 (storage buffers)",
                             {.texel_loads = false});
  }
}

// A 1x1 FP32 CONV2D without padding takes a "_k1" variant, which has no loops over the kernel and
// makes no select per multiply-add, its one tap always inside; a 3x3 one, or a 1x1 one whose
// padding a tap reaches, keeps the select, which skips the taps outside as the CPU does, so that
// an infinite weight adds no NaN there.
TEST(VulkanBlockedShadersTest, Fp32PointwiseConvolutionsMakeNoSelect) {
  std::mt19937 rng(59);
  const auto zero = std::vector<float>{0};
  struct Case {
    int64_t kernel;
    std::vector<int32_t> pad;
    int64_t out_h, out_w;
    bool pointwise;
  };
  for (const Case& k : {Case{1, {0, 0, 0, 0}, 10, 9, true}, Case{3, {0, 0, 0, 0}, 8, 7, false},
                        Case{1, {0, 1, 0, 0}, 11, 9, false}}) {
    GraphBuilder b;
    const auto x = b.Input("x", DType::kFp32, {1, 10, 9, 8});
    std::vector<float> weights = RandomFloats(rng, 12 * k.kernel * k.kernel * 8);
    const bool padded = k.pad[1] > 0;
    if (padded) weights[0] = std::numeric_limits<float>::infinity();
    const std::vector<float> biases = RandomFloats(rng, 12);
    const auto w = b.Const("w", DType::kFp32, {12, k.kernel, k.kernel, 8}, weights);
    const auto bias = b.Const("b", DType::kFp32, {12}, biases);
    const auto izp = b.Const("izp", DType::kFp32, {1}, zero);
    const auto wzp = b.Const("wzp", DType::kFp32, {1}, zero);
    const auto y = b.Tensor("y", DType::kFp32, {1, k.out_h, k.out_w, 12});
    graph::Conv2dAttr attr;
    attr.pad = k.pad;
    attr.stride = {1, 1};
    attr.dilation = {1, 1};
    attr.acc_type = DType::kFp32;
    b.Add(Op::kConv2d, attr, {x, w, bias, izp, wzp}, {y});
    b.Output(y);
    const std::string what =
        absl::StrCat("CONV2D FP32 ", k.kernel, "x", k.kernel, " pad bottom ", k.pad[1]);
    for (const uint64_t texels : {uint64_t{0}, uint64_t{1} << 20}) {
      const std::vector<std::string> shaders = ShadersOf(b, {.max_texel_elements = texels});
      ASSERT_EQ(shaders.size(), 1u);
      EXPECT_TRUE(shaders[0].starts_with("conv2d_blocked_f32_c4_p")) << shaders[0];
      EXPECT_EQ(shaders[0].find("_k1") != std::string::npos, k.pointwise) << shaders[0];
    }
    const testing::Buffers inputs = {BytesOf(RandomFloats(rng, 10 * 9 * 8))};
    if (!padded) {
      testing::ExpectFp32Close(b, inputs, 1e-4f, what);
      testing::ExpectFp32Close(b, inputs, 1e-4f, what + " (storage buffers)",
                               {.texel_loads = false});
      continue;
    }
    // The padded row's taps are all outside: its channel 0, whose weight is infinite, is the bias.
    for (const GraphProgramOptions options :
         {GraphProgramOptions{}, GraphProgramOptions{.texel_loads = false}}) {
      auto outputs = testing::RunOnGpu(b.Build(), inputs, options);
      ASSERT_TRUE(outputs.ok()) << outputs.status();
      std::vector<float> got(outputs->at(0).size() / 4);
      std::memcpy(got.data(), outputs->at(0).data(), got.size() * 4);
      for (int64_t ox = 0; ox < k.out_w; ++ox) {
        EXPECT_EQ(got[((k.out_h - 1) * k.out_w + ox) * 12], biases[0]) << what << ", column " << ox;
      }
    }
  }
}

}  // namespace
}  // namespace inferd::vulkan
