// Randomised graphs of every operator the Vulkan backend runs: integer outputs equal the CPU
// backend's (bit-exact with the specification) byte for byte. Parameters cover the edges the
// specification's arithmetic has: zero points, per-channel RESCALE multipliers with shifts from 2
// to 62, double rounding, unsigned views, INT32_MIN accumulators, MUL shifts 0 and 31, and sizes
// that do not divide the 64-invocation workgroup.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tests/backends/cpu/graph_builder.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using testing::Buffers;
using testing::Count;
using testing::ExpectSameOnBothBackends;
using testing::RandomValues;

graph::RescaleAttr RescaleAttribute(bool per_channel, bool double_round, bool input_unsigned,
                                    bool output_unsigned) {
  graph::RescaleAttr attr;
  attr.scale32 = true;
  attr.rounding_mode =
      double_round ? graph::RoundingMode::kDoubleRound : graph::RoundingMode::kSingleRound;
  attr.per_channel = per_channel;
  attr.input_unsigned = input_unsigned;
  attr.output_unsigned = output_unsigned;
  return attr;
}

TEST(VulkanVsCpuTest, RescaleInt32ToInt8PerChannelWithEveryShift) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 6; ++trial) {
    const int64_t channels = 61;  // shifts 2..62, one per channel
    // 915 elements run the one-element shader, 244 the four-element one.
    const Shape shape = trial < 3 ? Shape{3, 5, channels} : Shape{4, channels};
    GraphBuilder b;
    const auto x = b.Input("x", DType::kInt32, shape);
    std::vector<int32_t> multipliers =
        RandomValues<int32_t>(rng, channels, 0, std::numeric_limits<int32_t>::max());
    multipliers[0] = 0;
    multipliers[1] = std::numeric_limits<int32_t>::max();
    std::vector<int8_t> shifts(channels);
    for (int64_t c = 0; c < channels; ++c) shifts[c] = static_cast<int8_t>(2 + c);
    const auto m = b.Const("m", DType::kInt32, {channels}, multipliers);
    const auto s = b.Const("s", DType::kInt8, {channels}, shifts);
    const auto izp = b.Const("izp", DType::kInt32, {1}, std::vector<int32_t>{0});
    const auto ozp = b.Const("ozp", DType::kInt8, {1},
                             std::vector<int8_t>{static_cast<int8_t>(trial * 17 - 50)});
    const auto y = b.Tensor("y", DType::kInt8, shape);
    b.Add(Op::kRescale, RescaleAttribute(true, trial % 2 == 1, false, false), {x, m, s, izp, ozp},
          {y});
    b.Output(y);
    // Values inside apply_scale_32's range for the smallest shift (2): [-2, 2).
    std::vector<int32_t> values = RandomValues<int32_t>(rng, Count(shape), -2, 1);
    for (size_t i = 0; i < values.size(); i += 3) {
      const int64_t c = static_cast<int64_t>(i % channels);
      const int64_t half = int64_t{1} << std::min<int64_t>(shifts[c] - 1, 31);
      values[i] = static_cast<int32_t>(std::uniform_int_distribution<int64_t>(
          -std::min<int64_t>(half, int64_t{1} << 31),
          std::min<int64_t>(half, (int64_t{1} << 31)) - 1)(rng));
    }
    values[channels - 1] = std::numeric_limits<int32_t>::min();  // shift 62 takes INT32_MIN
    ExpectSameOnBothBackends(b, {BytesOf(values)},
                             "RESCALE int32->int8 trial " + std::to_string(trial));
  }
}

TEST(VulkanVsCpuTest, RescaleInt8AndInt16WithZeroPointsAndUnsignedViews) {
  std::mt19937 rng(11);
  struct Case {
    DType in, out;
    bool input_unsigned, output_unsigned;
  };
  const Case cases[] = {
      {DType::kInt8, DType::kInt8, false, false},  {DType::kInt8, DType::kInt8, true, false},
      {DType::kInt8, DType::kInt8, false, true},   {DType::kInt16, DType::kInt16, true, false},
      {DType::kInt8, DType::kInt32, false, false}, {DType::kInt16, DType::kInt8, false, false}};
  for (const Case& c : cases) {
    for (const Shape& shape : {Shape{2, 7, 9}, Shape{2, 6, 8}}) {  // one and four per invocation
      GraphBuilder b;
      const auto x = b.Input("x", c.in, shape);
      const auto m = b.Const("m", DType::kInt32, {1}, std::vector<int32_t>{1518500250});
      const auto s = b.Const("s", DType::kInt8, {1}, std::vector<int8_t>{31});
      int64_t izp = 0;
      int64_t ozp = 0;
      if (c.in == DType::kInt8) izp = c.input_unsigned ? 128 : -7;
      if (c.in == DType::kInt16 && c.input_unsigned) izp = 32768;
      if (c.out == DType::kInt8) ozp = c.output_unsigned ? 128 : 5;
      graph::TensorId izp_id =
          c.in == DType::kInt8
              ? b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{static_cast<int8_t>(izp)})
              : b.Const("izp", DType::kInt16, {1}, std::vector<int16_t>{static_cast<int16_t>(izp)});
      graph::TensorId ozp_id =
          c.out == DType::kInt8
              ? b.Const("ozp", DType::kInt8, {1}, std::vector<int8_t>{static_cast<int8_t>(ozp)})
              : (c.out == DType::kInt16
                     ? b.Const("ozp", DType::kInt16, {1}, std::vector<int16_t>{0})
                     : b.Const("ozp", DType::kInt32, {1}, std::vector<int32_t>{0}));
      const auto y = b.Tensor("y", c.out, shape);
      b.Add(Op::kRescale, RescaleAttribute(false, false, c.input_unsigned, c.output_unsigned),
            {x, m, s, izp_id, ozp_id}, {y});
      b.Output(y);
      Buffers inputs;
      if (c.in == DType::kInt8) {
        inputs.push_back(BytesOf(RandomValues<int8_t>(rng, Count(shape), -128, 127)));
      } else {
        inputs.push_back(BytesOf(RandomValues<int16_t>(rng, Count(shape), -32768, 32767)));
      }
      ExpectSameOnBothBackends(b, inputs,
                               std::string("RESCALE ") + std::string(graph::DTypeName(c.in)) +
                                   "->" + std::string(graph::DTypeName(c.out)) + " of " +
                                   std::to_string(Count(shape)));
    }
  }
}

graph::Conv2dAttr ConvAttribute(std::vector<int32_t> pad, std::vector<int32_t> stride,
                                std::vector<int32_t> dilation, DType acc) {
  graph::Conv2dAttr attr;
  attr.pad = std::move(pad);
  attr.stride = std::move(stride);
  attr.dilation = std::move(dilation);
  attr.acc_type = acc;
  return attr;
}

TEST(VulkanVsCpuTest, Conv2dInt8WithZeroPointsPaddingStridesAndDilation) {
  std::mt19937 rng(3);
  struct Case {
    int64_t n, h, w, ic, oc, kh, kw;
    std::vector<int32_t> pad, stride, dilation;
    int8_t input_zp, weight_zp;
    bool per_channel_bias;
  };
  const Case cases[] = {
      {1, 8, 8, 1, 8, 3, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, 0, 0, true},
      {2, 9, 7, 5, 13, 3, 2, {0, 2, 1, 0}, {2, 1}, {1, 2}, -128, 3, true},
      {1, 5, 10, 17, 3, 1, 1, {0, 0, 0, 0}, {1, 3}, {1, 1}, 127, -1, false},
  };
  for (const Case& c : cases) {
    const int64_t oh =
        testing::ConvOutSize(c.h, c.kh, c.pad[0], c.pad[1], c.stride[0], c.dilation[0]);
    const int64_t ow =
        testing::ConvOutSize(c.w, c.kw, c.pad[2], c.pad[3], c.stride[1], c.dilation[1]);
    GraphBuilder b;
    const auto x = b.Input("x", DType::kInt8, {c.n, c.h, c.w, c.ic});
    const auto weight = b.Const("w", DType::kInt8, {c.oc, c.kh, c.kw, c.ic},
                                RandomValues<int8_t>(rng, c.oc * c.kh * c.kw * c.ic, -128, 127));
    const int64_t bias_count = c.per_channel_bias ? c.oc : 1;
    std::vector<int32_t> bias = RandomValues<int32_t>(rng, bias_count, -100000, 100000);
    bias[0] = std::numeric_limits<int32_t>::min() / 2;
    const auto bias_id = b.Const("b", DType::kInt32, {bias_count}, bias);
    const auto izp = b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{c.input_zp});
    const auto wzp = b.Const("wzp", DType::kInt8, {1}, std::vector<int8_t>{c.weight_zp});
    const auto y = b.Tensor("y", DType::kInt32, {c.n, oh, ow, c.oc});
    b.Add(Op::kConv2d, ConvAttribute(c.pad, c.stride, c.dilation, DType::kInt32),
          {x, weight, bias_id, izp, wzp}, {y});
    b.Output(y);
    ExpectSameOnBothBackends(
        b, {BytesOf(RandomValues<int8_t>(rng, c.n * c.h * c.w * c.ic, -128, 127))},
        "CONV2D " + std::to_string(c.ic) + "->" + std::to_string(c.oc));
  }
}

TEST(VulkanVsCpuTest, DepthwiseConv2dInt8WithAChannelMultiplier) {
  std::mt19937 rng(5);
  const int64_t n = 1, h = 7, w = 6, c = 5, m = 3, kh = 3, kw = 3;
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, {n, h, w, c});
  const auto weight = b.Const("w", DType::kInt8, {kh, kw, c, m},
                              RandomValues<int8_t>(rng, kh * kw * c * m, -128, 127));
  const auto bias =
      b.Const("b", DType::kInt32, {c * m}, RandomValues<int32_t>(rng, c * m, -999, 999));
  const auto izp = b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{-3});
  const auto wzp = b.Const("wzp", DType::kInt8, {1}, std::vector<int8_t>{0});
  const auto y = b.Tensor("y", DType::kInt32, {n, 4, 3, c * m});
  graph::DepthwiseConv2dAttr attr;
  attr.pad = {1, 1, 1, 0};
  attr.stride = {2, 2};
  attr.dilation = {1, 1};
  attr.acc_type = DType::kInt32;
  b.Add(Op::kDepthwiseConv2d, attr, {x, weight, bias, izp, wzp}, {y});
  b.Output(y);
  ExpectSameOnBothBackends(b, {BytesOf(RandomValues<int8_t>(rng, n * h * w * c, -128, 127))},
                           "DEPTHWISE_CONV2D");
}

TEST(VulkanVsCpuTest, MatMulInt8WithZeroPoints) {
  std::mt19937 rng(9);
  GraphBuilder b;
  const auto a = b.Input("a", DType::kInt8, {2, 5, 67});
  const auto bb = b.Input("b", DType::kInt8, {2, 67, 3});
  const auto azp = b.Const("azp", DType::kInt8, {1}, std::vector<int8_t>{-128});
  const auto bzp = b.Const("bzp", DType::kInt8, {1}, std::vector<int8_t>{127});
  const auto y = b.Tensor("y", DType::kInt32, {2, 5, 3});
  b.Add(Op::kMatMul, {}, {a, bb, azp, bzp}, {y});
  b.Output(y);
  ExpectSameOnBothBackends(b,
                           {BytesOf(RandomValues<int8_t>(rng, 2 * 5 * 67, -128, 127)),
                            BytesOf(RandomValues<int8_t>(rng, 2 * 67 * 3, -128, 127))},
                           "MATMUL");
}

TEST(VulkanVsCpuTest, Int32BinaryOperatorsBroadcastAndMulShifts) {
  std::mt19937 rng(13);
  for (Op op : {Op::kAdd, Op::kSub, Op::kMul, Op::kMaximum, Op::kMinimum}) {
    for (int8_t shift : {0, 31}) {
      if (op != Op::kMul && shift != 0) continue;
      GraphBuilder b;
      const auto x = b.Input("x", DType::kInt32, {3, 1, 65});
      const auto z = b.Input("z", DType::kInt32, {1, 4, 65});
      const auto y = b.Tensor("y", DType::kInt32, {3, 4, 65});
      std::vector<graph::TensorId> inputs = {x, z};
      graph::Attribute attribute;
      if (op == Op::kMul) {
        inputs.push_back(b.Const("shift", DType::kInt8, {1}, std::vector<int8_t>{shift}));
      }
      if (op == Op::kMaximum) attribute = graph::MaximumAttr{};
      if (op == Op::kMinimum) attribute = graph::MinimumAttr{};
      b.Add(op, attribute, inputs, {y});
      b.Output(y);
      // MUL's product must fit int32 without a shift; ADD/SUB stay away from overflow, which the
      // CPU backend reports and the GPU cannot.
      const int64_t bound = op == Op::kMul && shift == 0 ? 40000 : 1 << 29;
      std::vector<int32_t> left = RandomValues<int32_t>(rng, 3 * 65, -bound, bound);
      std::vector<int32_t> right = RandomValues<int32_t>(rng, 4 * 65, -bound, bound);
      ExpectSameOnBothBackends(b, {BytesOf(left), BytesOf(right)},
                               std::string(graph::OpName(op)) + " shift " + std::to_string(shift));
    }
  }
}

TEST(VulkanVsCpuTest, ClampAndMaxPoolInt8WithPadding) {
  std::mt19937 rng(17);
  // 486 elements run the one-element CLAMP shader, 392 the four-element one.
  for (const auto& [shape, pooled_shape] :
       {std::pair<Shape, Shape>{{2, 9, 9, 3}, {2, 5, 5, 3}}, {{2, 7, 7, 4}, {2, 4, 4, 4}}}) {
    GraphBuilder b;
    const auto x = b.Input("x", DType::kInt8, shape);
    const auto clamped = b.Tensor("clamped", DType::kInt8, shape);
    graph::ClampAttr clamp;
    clamp.min_val = {static_cast<uint8_t>(-20), 0, 0, 0, 0, 0, 0, 0};
    clamp.max_val = {100, 0, 0, 0, 0, 0, 0, 0};
    b.Add(Op::kClamp, clamp, {x}, {clamped});
    const auto pooled = b.Tensor("pooled", DType::kInt8, pooled_shape);
    graph::MaxPool2dAttr pool;
    pool.kernel = {3, 3};
    pool.stride = {2, 2};
    pool.pad = {1, 1, 1, 1};
    b.Add(Op::kMaxPool2d, pool, {clamped}, {pooled});
    b.Output(pooled);
    b.Output(clamped);
    ExpectSameOnBothBackends(b, {BytesOf(RandomValues<int8_t>(rng, Count(shape), -128, 127))},
                             "CLAMP + MAX_POOL2D of " + std::to_string(Count(shape)));
  }
}

TEST(VulkanVsCpuTest, Fp32ConvolutionIsWithinRoundingOfTheCpu) {
  std::mt19937 rng(19);
  GraphBuilder b;
  const auto x = b.Input("x", DType::kFp32, {1, 6, 6, 4});
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> weights(8 * 3 * 3 * 4);
  for (float& w : weights) w = dist(rng);
  const auto weight = b.Const("w", DType::kFp32, {8, 3, 3, 4}, weights);
  const auto bias = b.Const("b", DType::kFp32, {8}, std::vector<float>(8, 0.25f));
  const auto izp = b.Const("izp", DType::kFp32, {1}, std::vector<float>{0});
  const auto wzp = b.Const("wzp", DType::kFp32, {1}, std::vector<float>{0});
  const auto y = b.Tensor("y", DType::kFp32, {1, 6, 6, 8});
  b.Add(Op::kConv2d, ConvAttribute({1, 1, 1, 1}, {1, 1}, {1, 1}, DType::kFp32),
        {x, weight, bias, izp, wzp}, {y});
  b.Output(y);
  std::vector<float> input(6 * 6 * 4);
  for (float& v : input) v = dist(rng);
  // 36 products of magnitude below 1: a few ulps of 36 bound any summation order.
  testing::ExpectFp32Close(b, {BytesOf(input)}, 1e-4f, "CONV2D FP32");
}

}  // namespace
}  // namespace inferd::vulkan
