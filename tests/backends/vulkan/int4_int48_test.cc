// INT4 and INT48 tensors on the Vulkan backend against the CPU backend, byte for byte, with the
// 64-bit integer shaders and with their exact 32-bit variants: INT8 x INT4 convolutions (constant
// and input weights, the blocked shaders among them), INT16 x INT8 convolutions and INT16 MATMUL
// into INT48 with sums past 32 bits, RESCALE from INT48, bilinear INT16 RESIZE into INT48, and
// INT4 / INT48 constants and graph inputs moved unchanged (CONST, IDENTITY, RESHAPE and the
// element-moving shaders: TRANSPOSE, SLICE, TILE, REVERSE, PAD, CONCAT, GATHER, SCATTER).
// Main-block INT4 and INT48 inputs and outputs are in the CPU backend's layout: INT4 one int8 an
// element, INT48 one int64.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "backends/vulkan/stored_form.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using namespace testing;  // NOLINT: the suite's own helpers

// INT4 values as the model file holds them: two a byte, the first in the low nibble.
std::vector<uint8_t> PackedInt4(const std::vector<int8_t>& values) {
  std::vector<uint8_t> bytes((values.size() + 1) / 2, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    const uint8_t nibble = static_cast<uint8_t>(values[i]) & 0x0f;
    bytes[i / 2] |= i % 2 == 0 ? nibble : static_cast<uint8_t>(nibble << 4);
  }
  return bytes;
}

// INT48 values as the model file holds them: six little-endian bytes each.
std::vector<uint8_t> PackedInt48(const std::vector<int64_t>& values) {
  std::vector<uint8_t> bytes;
  for (int64_t v : values) {
    for (int b = 0; b < 6; ++b)
      bytes.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * b)));
  }
  return bytes;
}

// int4_t is -7..7 (the specification leaves -8 out).
std::vector<int8_t> RandomInt4(std::mt19937& rng, size_t count) {
  return RandomValues<int8_t>(rng, count, -7, 7);
}

TEST(VulkanInt4Int48Test, StoredFormUnpacksInt4AndWidensInt48) {
  EXPECT_EQ(StoredDataSize(DType::kInt4, 5), 5);
  EXPECT_EQ(StoredDataSize(DType::kInt48, 5), 40);
  EXPECT_EQ(StoredDataSize(DType::kInt16, 5), 10);
  const std::vector<int8_t> int4 = {-7, 7, -1, 0, 5};
  EXPECT_EQ(ToStoredForm(DType::kInt4, PackedInt4(int4), 5), BytesOf(int4));
  const std::vector<int64_t> int48 = {-(int64_t{1} << 47), (int64_t{1} << 47) - 1, -1, 12345};
  EXPECT_EQ(ToStoredForm(DType::kInt48, PackedInt48(int48), 4), BytesOf(int48));
}

// A convolution's operands for INT8 x INT4 (INT32 bias) or INT16 x INT8 (INT48 bias), added to
// `b`: {weight, bias, input_zp, weight_zp}. `weight_input` makes the weight a graph input.
struct NarrowWeightOperands {
  std::vector<graph::TensorId> ids;
  std::vector<uint8_t> weight_input;  // the weight's bytes when it is a graph input
};

NarrowWeightOperands Operands(GraphBuilder& b, std::mt19937& rng, DType input,
                              const Shape& weight_shape, int64_t bias_count, int64_t input_zp,
                              int64_t weight_zp, bool weight_input) {
  const size_t weights = testing::Count(weight_shape);
  NarrowWeightOperands operands;
  graph::TensorId w, bias, izp, wzp;
  if (input == DType::kInt8) {
    const std::vector<int8_t> values = RandomInt4(rng, weights);
    if (weight_input) {
      w = b.Input("w", DType::kInt4, weight_shape);
      operands.weight_input = BytesOf(values);
    } else {
      w = b.ConstBytes("w", DType::kInt4, weight_shape, PackedInt4(values));
    }
    bias = b.Const("b", DType::kInt32, {bias_count},
                   RandomValues<int32_t>(rng, bias_count, -100000, 100000));
    izp = b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{static_cast<int8_t>(input_zp)});
    wzp = b.ConstBytes("wzp", DType::kInt4, {1}, PackedInt4({static_cast<int8_t>(weight_zp)}));
  } else {
    const std::vector<int8_t> values = RandomValues<int8_t>(rng, weights, -128, 127);
    if (weight_input) {
      w = b.Input("w", DType::kInt8, weight_shape);
      operands.weight_input = BytesOf(values);
    } else {
      w = b.Const("w", DType::kInt8, weight_shape, values);
    }
    // Biases past 32 bits, of either sign.
    bias = b.ConstBytes(
        "b", DType::kInt48, {bias_count},
        PackedInt48(RandomValues<int64_t>(rng, bias_count, -(int64_t{1} << 40), int64_t{1} << 40)));
    izp = b.Const("izp", DType::kInt16, {1}, std::vector<int16_t>{0});
    wzp = b.Const("wzp", DType::kInt8, {1}, std::vector<int8_t>{static_cast<int8_t>(weight_zp)});
  }
  operands.ids = {w, bias, izp, wzp};
  return operands;
}

// INT16 input values of both extremes, so that the sums of many taps pass 32 bits.
std::vector<uint8_t> WideConvInput(std::mt19937& rng, DType dtype, size_t count) {
  if (dtype == DType::kInt8) return RandomBytes(rng, dtype, count);
  std::vector<int16_t> values = RandomValues<int16_t>(rng, count, -32768, 32767);
  for (size_t i = 0; i < count; i += 3) values[i] = i % 2 == 0 ? 32767 : -32768;
  return BytesOf(values);
}

DType Accumulator(DType input) { return input == DType::kInt8 ? DType::kInt32 : DType::kInt48; }

std::string Name(DType input) { return input == DType::kInt8 ? "INT8 x INT4" : "INT16 x INT8"; }

TEST(VulkanInt4Int48Test, Conv2dOfInt4WeightsAndInt48Accumulators) {
  std::mt19937 rng(481);
  struct Case {
    DType input;
    int64_t n, h, w, ic, oc, kh, kw;
    std::vector<int32_t> pad, stride, dilation;
    int64_t input_zp, weight_zp;
    bool weight_input;
  };
  // The first INT8 case fits the blocked shader (16 input channels, 8 output channels).
  // clang-format off
  const Case cases[] = {
      {DType::kInt8, 1, 6, 7, 16, 8, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, -128, 7, false},
      {DType::kInt8, 2, 5, 6, 5, 3, 2, 3, {0, 1, 2, 0}, {2, 1}, {1, 2}, 127, -7, false},
      {DType::kInt8, 1, 4, 4, 3, 4, 3, 1, {1, 0, 0, 0}, {1, 1}, {1, 1}, 5, 0, true},
      {DType::kInt16, 1, 6, 7, 64, 5, 3, 3, {1, 1, 1, 1}, {1, 2}, {1, 1}, 0, 127, false},
      {DType::kInt16, 2, 5, 4, 3, 8, 2, 2, {0, 0, 1, 1}, {1, 1}, {2, 1}, 0, -128, true},
  };
  // clang-format on
  for (const Case& c : cases) {
    const int64_t oh = ConvOutSize(c.h, c.kh, c.pad[0], c.pad[1], c.stride[0], c.dilation[0]);
    const int64_t ow = ConvOutSize(c.w, c.kw, c.pad[2], c.pad[3], c.stride[1], c.dilation[1]);
    GraphBuilder b;
    const auto x = b.Input("x", c.input, {c.n, c.h, c.w, c.ic});
    NarrowWeightOperands operands = Operands(b, rng, c.input, {c.oc, c.kh, c.kw, c.ic}, c.oc,
                                             c.input_zp, c.weight_zp, c.weight_input);
    operands.ids.insert(operands.ids.begin(), x);
    const auto y = b.Tensor("y", Accumulator(c.input), {c.n, oh, ow, c.oc});
    graph::Conv2dAttr attr;
    attr.pad = c.pad;
    attr.stride = c.stride;
    attr.dilation = c.dilation;
    attr.acc_type = Accumulator(c.input);
    b.Add(Op::kConv2d, attr, operands.ids, {y});
    b.Output(y);
    Buffers inputs = {WideConvInput(rng, c.input, c.n * c.h * c.w * c.ic)};
    if (c.weight_input) inputs.push_back(operands.weight_input);
    ExpectSameOnBothBackends(b, inputs, "CONV2D " + Name(c.input) + " " + std::to_string(c.ic));
  }
}

TEST(VulkanInt4Int48Test, DepthwiseConv2dOfInt4WeightsAndInt48Accumulators) {
  std::mt19937 rng(482);
  struct Case {
    DType input;
    int64_t h, w, c, m, kh, kw;
    std::vector<int32_t> pad, stride;
    int64_t input_zp, weight_zp;
  };
  // A 3-wide multiplier-1 INT8 case takes the row shader; the others the general one.
  const Case cases[] = {
      {DType::kInt8, 7, 9, 8, 1, 3, 3, {1, 1, 1, 1}, {1, 1}, -3, 6},
      {DType::kInt8, 6, 5, 3, 2, 2, 2, {1, 1, 1, 0}, {2, 1}, 100, -7},
      {DType::kInt16, 6, 7, 4, 2, 5, 5, {2, 2, 2, 2}, {1, 1}, 0, 127},
  };
  for (const Case& c : cases) {
    const int64_t oh = ConvOutSize(c.h, c.kh, c.pad[0], c.pad[1], c.stride[0], 1);
    const int64_t ow = ConvOutSize(c.w, c.kw, c.pad[2], c.pad[3], c.stride[1], 1);
    GraphBuilder b;
    const auto x = b.Input("x", c.input, {2, c.h, c.w, c.c});
    NarrowWeightOperands operands = Operands(b, rng, c.input, {c.kh, c.kw, c.c, c.m}, c.c * c.m,
                                             c.input_zp, c.weight_zp, false);
    operands.ids.insert(operands.ids.begin(), x);
    const auto y = b.Tensor("y", Accumulator(c.input), {2, oh, ow, c.c * c.m});
    graph::DepthwiseConv2dAttr attr;
    attr.pad = c.pad;
    attr.stride = c.stride;
    attr.dilation = {1, 1};
    attr.acc_type = Accumulator(c.input);
    b.Add(Op::kDepthwiseConv2d, attr, operands.ids, {y});
    b.Output(y);
    ExpectSameOnBothBackends(b, {WideConvInput(rng, c.input, 2 * c.h * c.w * c.c)},
                             "DEPTHWISE_CONV2D " + Name(c.input));
  }
}

TEST(VulkanInt4Int48Test, Conv3dAndTransposeConv2dOfInt4WeightsAndInt48Accumulators) {
  std::mt19937 rng(483);
  for (DType input : {DType::kInt8, DType::kInt16}) {
    {
      GraphBuilder b;
      const auto x = b.Input("x", input, {1, 4, 5, 6, 7});
      NarrowWeightOperands operands = Operands(b, rng, input, {3, 2, 3, 2, 7}, 3, 0, 3, false);
      operands.ids.insert(operands.ids.begin(), x);
      const auto y = b.Tensor("y", Accumulator(input), {1, 3, 3, 5, 3});
      graph::Conv3dAttr attr;
      attr.pad = {0, 0, 0, 0, 0, 0};
      attr.stride = {1, 1, 1};
      attr.dilation = {1, 1, 1};
      attr.acc_type = Accumulator(input);
      b.Add(Op::kConv3d, attr, operands.ids, {y});
      b.Output(y);
      ExpectSameOnBothBackends(b, {WideConvInput(rng, input, 4 * 5 * 6 * 7)},
                               "CONV3D " + Name(input));
    }
    {
      // out = (in - 1) * stride + out_pad_before + out_pad_after + kernel.
      GraphBuilder b;
      const auto x = b.Input("x", input, {2, 3, 4, 5});
      NarrowWeightOperands operands = Operands(b, rng, input, {4, 3, 2, 5}, 1, 0, -2, false);
      operands.ids.insert(operands.ids.begin(), x);
      const auto y = b.Tensor("y", Accumulator(input), {2, 7, 8, 4});
      graph::TransposeConv2dAttr attr;
      attr.out_pad = {0, 0, 1, -1};
      attr.stride = {2, 2};
      attr.acc_type = Accumulator(input);
      b.Add(Op::kTransposeConv2d, attr, operands.ids, {y});
      b.Output(y);
      ExpectSameOnBothBackends(b, {WideConvInput(rng, input, 2 * 3 * 4 * 5)},
                               "TRANSPOSE_CONV2D " + Name(input));
    }
  }
}

TEST(VulkanInt4Int48Test, Int16MatMulSumsPast32Bits) {
  std::mt19937 rng(484);
  GraphBuilder b;
  const auto a = b.Input("a", DType::kInt16, {2, 3, 300});
  const auto bb = b.Input("b", DType::kInt16, {2, 300, 5});
  const auto azp = b.Const("azp", DType::kInt16, {1}, std::vector<int16_t>{0});
  const auto bzp = b.Const("bzp", DType::kInt16, {1}, std::vector<int16_t>{0});
  const auto y = b.Tensor("y", DType::kInt48, {2, 3, 5});
  b.Add(Op::kMatMul, {}, {a, bb, azp, bzp}, {y});
  b.Output(y);
  // Same-signed extremes in the first row and column: sums near 300 * 2^30.
  std::vector<int16_t> a_values = RandomValues<int16_t>(rng, 2 * 3 * 300, -32768, 32767);
  std::vector<int16_t> b_values = RandomValues<int16_t>(rng, 2 * 300 * 5, -32768, 32767);
  for (int k = 0; k < 300; ++k) {
    a_values[k] = -32768;
    b_values[k * 5] = -32768;
  }
  ExpectSameOnBothBackends(b, {BytesOf(a_values), BytesOf(b_values)}, "MATMUL INT16");
}

TEST(VulkanInt4Int48Test, RescaleFromInt48InputsAndConstants) {
  std::mt19937 rng(485);
  for (DType out : {DType::kInt8, DType::kInt16, DType::kInt32}) {
    for (bool per_channel : {false, true}) {
      for (bool constant_input : {false, true}) {
        constexpr int64_t kChannels = 5;
        const Shape shape = {6, kChannels};
        // Values up to 2^46 of either sign; shifts that keep the scaled values within int32.
        std::vector<int64_t> values =
            RandomValues<int64_t>(rng, 6 * kChannels, -(int64_t{1} << 46), int64_t{1} << 46);
        values[0] = -(int64_t{1} << 46);
        values[1] = -1;
        values[2] = 0;
        const int64_t channels = per_channel ? kChannels : 1;
        std::vector<int16_t> multipliers = RandomValues<int16_t>(rng, channels, 0, 32767);
        std::vector<int8_t> shifts = RandomValues<int8_t>(rng, channels, 40, 62);
        GraphBuilder b;
        const auto x = constant_input ? b.ConstBytes("x", DType::kInt48, shape, PackedInt48(values))
                                      : b.Input("x", DType::kInt48, shape);
        const auto m = b.Const("m", DType::kInt16, {channels}, multipliers);
        const auto s = b.Const("s", DType::kInt8, {channels}, shifts);
        const auto izp = b.ConstBytes("izp", DType::kInt48, {1}, PackedInt48({0}));
        const auto ozp =
            out == DType::kInt8    ? b.Const("ozp", DType::kInt8, {1}, std::vector<int8_t>{-3})
            : out == DType::kInt16 ? b.Const("ozp", DType::kInt16, {1}, std::vector<int16_t>{0})
                                   : b.Const("ozp", DType::kInt32, {1}, std::vector<int32_t>{0});
        const auto y = b.Tensor("y", out, shape);
        graph::RescaleAttr attr;
        attr.scale32 = false;
        attr.rounding_mode = graph::RoundingMode::kSingleRound;
        attr.per_channel = per_channel;
        b.Add(Op::kRescale, attr, {x, m, s, izp, ozp}, {y});
        b.Output(y);
        Buffers inputs;
        if (!constant_input) inputs.push_back(BytesOf(values));
        ExpectSameOnBothBackends(b, inputs,
                                 "RESCALE INT48 -> " + std::string(graph::DTypeName(out)) +
                                     (per_channel ? " per channel" : "") +
                                     (constant_input ? " of a constant" : ""));
      }
    }
  }
}

TEST(VulkanInt4Int48Test, RescaleWithInexactRoundingRoundsAsTheCpu) {
  std::mt19937 rng(486);
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt32, {40});
  const auto m = b.Const("m", DType::kInt32, {1}, std::vector<int32_t>{1518500250});
  const auto s = b.Const("s", DType::kInt8, {1}, std::vector<int8_t>{37});
  const auto izp = b.Const("izp", DType::kInt32, {1}, std::vector<int32_t>{0});
  const auto ozp = b.Const("ozp", DType::kInt8, {1}, std::vector<int8_t>{0});
  const auto y = b.Tensor("y", DType::kInt8, {40});
  graph::RescaleAttr attr;
  attr.scale32 = true;
  attr.rounding_mode = graph::RoundingMode::kInexactRound;
  b.Add(Op::kRescale, attr, {x, m, s, izp, ozp}, {y});
  b.Output(y);
  ExpectSameOnBothBackends(b, {BytesOf(RandomValues<int32_t>(rng, 40, -(1 << 24), 1 << 24))},
                           "RESCALE INEXACT_ROUND");
}

TEST(VulkanInt4Int48Test, BilinearInt16ResizeGivesInt48) {
  std::mt19937 rng(487);
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt16, {2, 4, 6, 3});
  // Twice the size each way, offsets of either sign, weights up to 1024 * 1408 (past 2^20).
  const auto scale = b.ConstShape("scale", {1024, 512, 1408, 704});
  const auto offset = b.ConstShape("offset", {512, -704});
  const auto border = b.ConstShape("border", {0, 0});
  const auto y = b.Tensor("y", DType::kInt48, {2, 6, 12, 3});
  graph::ResizeAttr attr;
  attr.mode = graph::ResizeMode::kBilinear;
  b.Add(Op::kResize, attr, {x, scale, offset, border}, {y});
  b.Output(y);
  ExpectSameOnBothBackends(b, {WideConvInput(rng, DType::kInt16, 2 * 4 * 6 * 3)}, "RESIZE INT16");
}

TEST(VulkanInt4Int48Test, Int4AndInt48ConstantsAndInputsMoveUnchanged) {
  std::mt19937 rng(488);
  GraphBuilder b;
  const std::vector<int8_t> int4 = RandomInt4(rng, 17);  // odd: the last byte half used
  const std::vector<int64_t> int48 = {-(int64_t{1} << 47), (int64_t{1} << 47) - 1, -2, 7, 0};
  const auto c4 = b.ConstBytes("c4", DType::kInt4, {17}, PackedInt4(int4));
  const auto c48 = b.ConstBytes("c48", DType::kInt48, {5}, PackedInt48(int48));
  const auto x4 = b.Input("x4", DType::kInt4, {3, 5});
  const auto x48 = b.Input("x48", DType::kInt48, {2, 3});
  const auto y4 = b.Tensor("y4", DType::kInt4, {3, 5});
  const auto y48 = b.Tensor("y48", DType::kInt48, {6});
  b.Add(Op::kIdentity, {}, {x4}, {y4});
  b.Add(Op::kReshape, {}, {x48, b.ConstShape("shape", {6})}, {y48});
  for (const auto id : {c4, c48, y4, y48}) b.Output(id);
  ExpectSameOnBothBackends(
      b,
      {BytesOf(RandomInt4(rng, 15)),
       BytesOf(RandomValues<int64_t>(rng, 6, -(int64_t{1} << 47), (int64_t{1} << 47) - 1))},
      "CONST, IDENTITY and RESHAPE of INT4 and INT48");
}

// Zero points the graph computes (EXT-DYNAMIC: here graph inputs) reach the "_dzp" shaders as
// tensors: CONV2D, DEPTHWISE_CONV2D and MATMUL of INT8 (INT4 weights among them) and INT16.
TEST(VulkanInt4Int48Test, ZeroPointsComputedByTheGraph) {
  std::mt19937 rng(490);
  for (DType input : {DType::kInt8, DType::kInt16}) {
    const DType weight_type = input == DType::kInt8 ? DType::kInt4 : DType::kInt8;
    const std::vector<uint8_t> input_zp = input == DType::kInt8 ? BytesOf(std::vector<int8_t>{-100})
                                                                : BytesOf(std::vector<int16_t>{0});
    const std::vector<uint8_t> weight_zp =
        input == DType::kInt8 ? BytesOf(std::vector<int8_t>{-5}) : BytesOf(std::vector<int8_t>{77});
    for (Op op : {Op::kConv2d, Op::kDepthwiseConv2d}) {
      GraphBuilder b;
      const auto x = b.Input("x", input, {2, 5, 6, 4});
      const auto izp = b.Input("computed_izp", input, {1});
      const auto wzp = b.Input("computed_wzp", weight_type, {1});
      NarrowWeightOperands operands = Operands(
          b, rng, input, op == Op::kConv2d ? Shape{8, 3, 3, 4} : Shape{3, 3, 4, 2}, 8, 0, 0, false);
      const auto y = b.Tensor("y", Accumulator(input), {2, 3, 4, 8});
      const std::vector<graph::TensorId> inputs = {x, operands.ids[0], operands.ids[1], izp, wzp};
      if (op == Op::kConv2d) {
        b.Add(op, graph::Conv2dAttr{{0, 0, 0, 0}, {1, 1}, {1, 1}, false, Accumulator(input)},
              inputs, {y});
      } else {
        b.Add(op,
              graph::DepthwiseConv2dAttr{{0, 0, 0, 0}, {1, 1}, {1, 1}, false, Accumulator(input)},
              inputs, {y});
      }
      b.Output(y);
      ExpectSameOnBothBackends(
          b, {WideConvInput(rng, input, 2 * 5 * 6 * 4), input_zp, weight_zp},
          std::string(graph::OpName(op)) + " " + Name(input) + " with computed zero points");
    }
    GraphBuilder b;
    const auto a = b.Input("a", input, {2, 3, 40});
    const auto bb = b.Input("b", input, {2, 40, 4});
    const auto azp = b.Input("azp", input, {1});
    const auto bzp = b.Input("bzp", input, {1});
    const auto y = b.Tensor("y", input == DType::kInt8 ? DType::kInt32 : DType::kInt48, {2, 3, 4});
    b.Add(Op::kMatMul, {}, {a, bb, azp, bzp}, {y});
    b.Output(y);
    ExpectSameOnBothBackends(
        b,
        {WideConvInput(rng, input, 2 * 3 * 40), WideConvInput(rng, input, 2 * 40 * 4), input_zp,
         input == DType::kInt8 ? BytesOf(std::vector<int8_t>{3}) : input_zp},
        "MATMUL " + std::string(graph::DTypeName(input)) + " with computed zero points");
  }
}

// MUL's shift and the zero points of NEGATE and AVG_POOL2D computed by the graph (EXT-DYNAMIC:
// here graph inputs) reach the "_dshift" and "_dzp" shaders as tensors.
TEST(VulkanInt4Int48Test, ShiftAndElementwiseZeroPointsComputedByTheGraph) {
  std::mt19937 rng(491);
  {
    GraphBuilder b;
    const auto x = b.Input("x", DType::kInt32, {4, 9});
    const auto y = b.Input("y", DType::kInt32, {1, 9});
    const auto shift = b.Input("shift", DType::kInt8, {1});
    const auto z = b.Tensor("z", DType::kInt32, {4, 9});
    b.Add(Op::kMul, {}, {x, y, shift}, {z});
    b.Output(z);
    ExpectSameOnBothBackends(b,
                             {BytesOf(RandomValues<int32_t>(rng, 36, -(1 << 20), 1 << 20)),
                              BytesOf(RandomValues<int32_t>(rng, 9, -(1 << 10), 1 << 10)),
                              BytesOf(std::vector<int8_t>{13})},
                             "MUL INT32 with a computed shift");
  }
  for (DType dtype : {DType::kInt8, DType::kInt16}) {
    const std::vector<uint8_t> zero_points = dtype == DType::kInt8
                                                 ? BytesOf(std::vector<int8_t>{-20, 35})
                                                 : BytesOf(std::vector<int16_t>{0, 0});
    const std::vector<uint8_t> input_zp(zero_points.begin(),
                                        zero_points.begin() + zero_points.size() / 2);
    const std::vector<uint8_t> output_zp(zero_points.begin() + zero_points.size() / 2,
                                         zero_points.end());
    {
      GraphBuilder b;
      const auto x = b.Input("x", dtype, {5, 7});
      const auto izp = b.Input("izp", dtype, {1});
      const auto ozp = b.Input("ozp", dtype, {1});
      const auto y = b.Tensor("y", dtype, {5, 7});
      b.Add(Op::kNegate, {}, {x, izp, ozp}, {y});
      b.Output(y);
      ExpectSameOnBothBackends(
          b, {RandomBytes(rng, dtype, 35), input_zp, output_zp},
          "NEGATE " + std::string(graph::DTypeName(dtype)) + " with computed zero points");
    }
    {
      GraphBuilder b;
      const auto x = b.Input("x", dtype, {2, 6, 7, 3});
      const auto izp = b.Input("izp", dtype, {1});
      const auto ozp = b.Input("ozp", dtype, {1});
      const auto y = b.Tensor("y", dtype, {2, 3, 4, 3});
      b.Add(Op::kAvgPool2d, graph::AvgPool2dAttr{{2, 3}, {2, 2}, {0, 0, 1, 1}, DType::kInt32},
            {x, izp, ozp}, {y});
      b.Output(y);
      ExpectSameOnBothBackends(
          b, {RandomBytes(rng, dtype, 2 * 6 * 7 * 3), input_zp, output_zp},
          "AVG_POOL2D " + std::string(graph::DTypeName(dtype)) + " with computed zero points");
    }
  }
}

// RESCALE with its multiplier, shift and zero points computed by the graph (EXT-DYNAMIC: here
// graph inputs): INT16 and INT32 multipliers, per channel or not, unsigned views of the input and
// of the output (their zero points zero extended on the GPU), INT48 inputs.
TEST(VulkanInt4Int48Test, RescaleParametersComputedByTheGraph) {
  std::mt19937 rng(492);
  struct Case {
    DType in, out;
    bool scale32, per_channel, input_unsigned, output_unsigned, double_round;
    int64_t input_zp, output_zp;
  };
  const Case cases[] = {
      {DType::kInt16, DType::kInt8, false, false, true, false, false, 32768, -3},
      {DType::kInt8, DType::kInt8, false, true, true, false, false, 100, 5},
      {DType::kInt8, DType::kInt32, true, true, false, false, true, -7, 0},
      {DType::kInt32, DType::kInt16, true, false, false, false, false, 0, 0},
      {DType::kInt8, DType::kInt8, true, false, false, true, false, 3, 200},
      {DType::kInt48, DType::kInt16, false, true, false, false, false, 0, 0},
  };
  auto bytes_of = [](DType dtype, int64_t value) {
    switch (dtype) {
      case DType::kInt8:
        return BytesOf(std::vector<int8_t>{static_cast<int8_t>(value)});
      case DType::kInt16:
        return BytesOf(std::vector<int16_t>{static_cast<int16_t>(value)});
      case DType::kInt32:
        return BytesOf(std::vector<int32_t>{static_cast<int32_t>(value)});
      default:
        return BytesOf(std::vector<int64_t>{value});
    }
  };
  for (const Case& k : cases) {
    constexpr int64_t kChannels = 6;
    const int64_t channels = k.per_channel ? kChannels : 1;
    GraphBuilder b;
    const auto x = b.Input("x", k.in, {5, kChannels});
    const auto m = b.Input("m", k.scale32 ? DType::kInt32 : DType::kInt16, {channels});
    const auto s = b.Input("s", DType::kInt8, {channels});
    const auto izp = b.Input("izp", k.in, {1});
    const auto ozp = b.Input("ozp", k.out, {1});
    const auto y = b.Tensor("y", k.out, {5, kChannels});
    graph::RescaleAttr attr;
    attr.scale32 = k.scale32;
    attr.rounding_mode =
        k.double_round ? graph::RoundingMode::kDoubleRound : graph::RoundingMode::kSingleRound;
    attr.per_channel = k.per_channel;
    attr.input_unsigned = k.input_unsigned;
    attr.output_unsigned = k.output_unsigned;
    b.Add(Op::kRescale, attr, {x, m, s, izp, ozp}, {y});
    b.Output(y);
    // Inputs small enough, and shifts large enough, that the results stay within int32.
    std::vector<uint8_t> input;
    if (k.in == DType::kInt48) {
      input =
          BytesOf(RandomValues<int64_t>(rng, 5 * kChannels, -(int64_t{1} << 40), int64_t{1} << 40));
    } else if (k.in == DType::kInt32) {
      input = BytesOf(RandomValues<int32_t>(rng, 5 * kChannels, -(1 << 24), 1 << 24));
    } else {
      input = RandomBytes(rng, k.in, 5 * kChannels);
    }
    const std::vector<uint8_t> multipliers =
        k.scale32 ? BytesOf(RandomValues<int32_t>(rng, channels, 1 << 28, INT32_MAX))
                  : BytesOf(RandomValues<int16_t>(rng, channels, 1, 32767));
    const int64_t lowest_shift = k.scale32 ? 32 : (k.in == DType::kInt48 ? 40 : 20);
    const std::vector<uint8_t> shifts =
        BytesOf(RandomValues<int8_t>(rng, channels, lowest_shift, lowest_shift + 10));
    ExpectSameOnBothBackends(
        b, {input, multipliers, shifts, bytes_of(k.in, k.input_zp), bytes_of(k.out, k.output_zp)},
        "RESCALE " + std::string(graph::DTypeName(k.in)) + " -> " +
            std::string(graph::DTypeName(k.out)) + " with computed parameters");
  }
}

// Graph-input elements of INT4 (int8 in -7..7) or INT48 (int64 within 48 bits), in the CPU
// backend's layout.
std::vector<uint8_t> RandomElements(std::mt19937& rng, DType dtype, size_t count) {
  if (dtype == DType::kInt4) return BytesOf(RandomInt4(rng, count));
  return BytesOf(RandomValues<int64_t>(rng, count, -(int64_t{1} << 47), (int64_t{1} << 47) - 1));
}

// One element of `dtype` as the model file holds a constant.
std::vector<uint8_t> ConstantElement(std::mt19937& rng, DType dtype) {
  if (dtype == DType::kInt4) return PackedInt4(RandomInt4(rng, 1));
  return PackedInt48(RandomValues<int64_t>(rng, 1, -(int64_t{1} << 47), (int64_t{1} << 47) - 1));
}

TEST(VulkanInt4Int48Test, ElementMovingOperatorsTakeInt4AndInt48) {
  std::mt19937 rng(489);
  for (DType dtype : {DType::kInt4, DType::kInt48}) {
    const std::string type(graph::DTypeName(dtype));
    const Shape shape = {3, 4, 5};
    const size_t count = testing::Count(shape);
    {
      GraphBuilder b;
      const auto x = b.Input("x", dtype, shape);
      const auto y = b.Tensor("y", dtype, {5, 3, 4});
      b.Add(Op::kTranspose, graph::TransposeAttr{{2, 0, 1}}, {x}, {y});
      b.Output(y);
      ExpectSameOnBothBackends(b, {RandomElements(rng, dtype, count)}, "TRANSPOSE " + type);
    }
    {
      GraphBuilder b;
      const auto x = b.Input("x", dtype, shape);
      const auto y = b.Tensor("y", dtype, {2, 2, 3});
      b.Add(Op::kSlice, {}, {x, b.ConstShape("start", {1, 2, 1}), b.ConstShape("size", {2, 2, 3})},
            {y});
      const auto t = b.Tensor("t", dtype, {6, 4, 5});
      b.Add(Op::kTile, {}, {x, b.ConstShape("multiples", {2, 1, 1})}, {t});
      const auto r = b.Tensor("r", dtype, shape);
      b.Add(Op::kReverse, graph::ReverseAttr{1}, {x}, {r});
      for (const auto id : {y, t, r}) b.Output(id);
      ExpectSameOnBothBackends(b, {RandomElements(rng, dtype, count)},
                               "SLICE, TILE and REVERSE " + type);
    }
    for (bool computed : {false, true}) {
      GraphBuilder b;
      const auto x = b.Input("x", dtype, shape);
      const auto v = computed ? b.Input("pad_const", dtype, {1})
                              : b.ConstBytes("pad_const", dtype, {1}, ConstantElement(rng, dtype));
      const auto y = b.Tensor("y", dtype, {4, 6, 8});
      b.Add(Op::kPad, {}, {x, b.ConstShape("padding", {1, 0, 0, 2, 3, 0}), v}, {y});
      b.Output(y);
      Buffers inputs = {RandomElements(rng, dtype, count)};
      if (computed) inputs.push_back(RandomElements(rng, dtype, 1));
      ExpectSameOnBothBackends(b, inputs, "PAD " + type + (computed ? " (computed value)" : ""));
    }
    {
      GraphBuilder b;
      const auto x = b.Input("x", dtype, shape);
      const auto c = b.ConstBytes(
          "c", dtype, {3, 1, 5},
          dtype == DType::kInt4 ? PackedInt4(RandomInt4(rng, 15))
                                : PackedInt48(RandomValues<int64_t>(rng, 15, -1000000, 1000000)));
      const auto y = b.Tensor("y", dtype, {3, 5, 5});
      b.Add(Op::kConcat, graph::ConcatAttr{1}, {x, c}, {y});
      b.Output(y);
      ExpectSameOnBothBackends(b, {RandomElements(rng, dtype, count)}, "CONCAT " + type);
    }
    {
      // GATHER rows of values [3, 4, 5] by indices [3, 6] (repeats, both ends); SCATTER two
      // distinct rows per batch back into a copy of the values.
      GraphBuilder b;
      const auto values = b.Input("values", dtype, shape);
      const auto indices = b.Input("indices", DType::kInt32, {3, 6});
      const auto rows = b.Input("rows", DType::kInt32, {3, 2});
      const auto update = b.Input("update", dtype, {3, 2, 5});
      const auto g = b.Tensor("g", dtype, {3, 6, 5});
      b.Add(Op::kGather, {}, {values, indices}, {g});
      const auto s = b.Tensor("s", dtype, shape);
      b.Add(Op::kScatter, {}, {values, rows, update}, {s});
      b.Output(g);
      b.Output(s);
      ExpectSameOnBothBackends(
          b,
          {RandomElements(rng, dtype, count),
           BytesOf(std::vector<int32_t>{0, 3, 3, 1, 2, 0, 3, 3, 3, 3, 0, 0, 1, 2, 3, 0, 1, 2}),
           BytesOf(std::vector<int32_t>{3, 0, 1, 2, 2, 1}), RandomElements(rng, dtype, 30)},
          "GATHER and SCATTER " + type);
    }
  }
}

}  // namespace
}  // namespace inferd::vulkan
