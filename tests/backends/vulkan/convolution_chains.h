// INT8 convolution chains for the fused-epilogue tests (fused_epilogue_test.cc,
// tiled_conv1x1_test.cc): a CONV2D or DEPTHWISE_CONV2D (INT8 -> INT32) with random weights and
// bias, a RESCALE to INT8 with per-channel or per-tensor parameters whose shifts cover the range
// the sums allow, and optionally a CLAMP: the operators the lowering folds into one dispatch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/backends/cpu/graph_builder.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan::testing {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using graph::TensorId;

struct ChainCase {
  bool depthwise;
  int64_t h, w, ic, oc, kh, kw;  // oc: CONV2D only (DEPTHWISE_CONV2D keeps ic channels)
  std::vector<int32_t> pad, stride;
  int8_t input_zp, weight_zp;
  bool per_channel;
  bool scale32;
  bool double_round;
  int8_t output_zp;
  bool output_unsigned;
  std::optional<std::pair<int8_t, int8_t>> clamp;  // none: RESCALE alone
};

inline int64_t OutChannels(const ChainCase& c) { return c.depthwise ? c.ic : c.oc; }

// A CONV2D or DEPTHWISE_CONV2D attribute with dilation 1.
template <typename Attr>
Attr ConvolutionAttribute(const std::vector<int32_t>& pad, const std::vector<int32_t>& stride,
                          DType acc_type) {
  Attr attr;
  attr.pad = pad;
  attr.stride = stride;
  attr.dilation = {1, 1};
  attr.acc_type = acc_type;
  return attr;
}

// Appends CONV2D or DEPTHWISE_CONV2D (INT8 -> INT32) of `x` to `b` and returns its output.
inline TensorId AddInt8Convolution(GraphBuilder& b, const ChainCase& c, TensorId x,
                                   std::mt19937& rng, int64_t& max_sum, int64_t batch = 1) {
  const int64_t oc = OutChannels(c);
  const int64_t oh = testing::ConvOutSize(c.h, c.kh, c.pad[0], c.pad[1], c.stride[0], 1);
  const int64_t ow = testing::ConvOutSize(c.w, c.kw, c.pad[2], c.pad[3], c.stride[1], 1);
  const int64_t depth = c.kh * c.kw * (c.depthwise ? 1 : c.ic);
  const Shape weight_shape =
      c.depthwise ? Shape{c.kh, c.kw, c.ic, 1} : Shape{c.oc, c.kh, c.kw, c.ic};
  const auto weight =
      b.Const("w", DType::kInt8, weight_shape, RandomValues<int8_t>(rng, oc * depth, -128, 127));
  const std::vector<int32_t> bias = RandomValues<int32_t>(rng, oc, -100000, 100000);
  const auto bias_id = b.Const("b", DType::kInt32, {oc}, bias);
  const auto izp = b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{c.input_zp});
  const auto wzp = b.Const("wzp", DType::kInt8, {1}, std::vector<int8_t>{c.weight_zp});
  const auto sums = b.Tensor("sums", DType::kInt32, {batch, oh, ow, oc});
  if (c.depthwise) {
    b.Add(Op::kDepthwiseConv2d,
          ConvolutionAttribute<graph::DepthwiseConv2dAttr>(c.pad, c.stride, DType::kInt32),
          {x, weight, bias_id, izp, wzp}, {sums});
  } else {
    b.Add(Op::kConv2d, ConvolutionAttribute<graph::Conv2dAttr>(c.pad, c.stride, DType::kInt32),
          {x, weight, bias_id, izp, wzp}, {sums});
  }
  // Each product is at most 255 * 256 in magnitude once the zero points are subtracted.
  max_sum = depth * 255 * 256 + 100000;
  return sums;
}

// RESCALE INT32 -> INT8 of `sums` (oc channels), shifts no smaller than the sums allow (the
// specification requires the value below 2^(shift - 1)); returns its output.
inline TensorId AddRescale(GraphBuilder& b, const ChainCase& c, TensorId sums, const Shape& shape,
                           int64_t max_sum, std::mt19937& rng) {
  const int64_t channels = c.per_channel ? shape.back() : 1;
  const int min_shift = static_cast<int>(std::floor(std::log2(static_cast<double>(max_sum)))) + 2;
  std::vector<int8_t> shifts(channels);
  for (int64_t ch = 0; ch < channels; ++ch) {
    // Most channels where the results spread over the INT8 range, the rest anywhere up to 62;
    // the first channels take both ends.
    const int low = ch % 3 == 2 ? min_shift : std::max(min_shift, c.scale32 ? 34 : 18);
    const int high = ch % 3 == 2 ? 62 : std::max(low, c.scale32 ? 44 : 28);
    shifts[ch] = static_cast<int8_t>(std::uniform_int_distribution<int>(low, high)(rng));
  }
  shifts[0] = static_cast<int8_t>(min_shift);
  if (channels > 1) shifts[1] = 62;
  TensorId multiplier;
  if (c.scale32) {
    std::vector<int32_t> m =
        RandomValues<int32_t>(rng, channels, int32_t{1} << 30, std::numeric_limits<int32_t>::max());
    m[0] = std::numeric_limits<int32_t>::max();
    if (channels > 2) m[2] = 0;
    multiplier = b.Const("m", DType::kInt32, {channels}, m);
  } else {
    std::vector<int16_t> m = RandomValues<int16_t>(rng, channels, 1 << 14, 32767);
    m[0] = 32767;
    multiplier = b.Const("m", DType::kInt16, {channels}, m);
  }
  const auto shift = b.Const("s", DType::kInt8, {channels}, shifts);
  const auto izp = b.Const("rizp", DType::kInt32, {1}, std::vector<int32_t>{0});
  const auto ozp = b.Const("rozp", DType::kInt8, {1}, std::vector<int8_t>{c.output_zp});
  const auto rescaled = b.Tensor("rescaled", DType::kInt8, shape);
  graph::RescaleAttr attr;
  attr.scale32 = c.scale32;
  attr.rounding_mode =
      c.double_round ? graph::RoundingMode::kDoubleRound : graph::RoundingMode::kSingleRound;
  attr.per_channel = c.per_channel;
  attr.output_unsigned = c.output_unsigned;
  b.Add(Op::kRescale, attr, {sums, multiplier, shift, izp, ozp}, {rescaled});
  return rescaled;
}

inline TensorId AddInt8Clamp(GraphBuilder& b, TensorId x, const Shape& shape, int8_t low,
                             int8_t high, const std::string& name = "clamped") {
  const auto clamped = b.Tensor(name, DType::kInt8, shape);
  graph::ClampAttr attr;
  attr.min_val = {static_cast<uint8_t>(low)};
  attr.max_val = {static_cast<uint8_t>(high)};
  b.Add(Op::kClamp, attr, {x}, {clamped});
  return clamped;
}

// The chain as a graph whose one output is its last tensor, with its input values (`batch` images).
inline GraphBuilder ChainGraph(const ChainCase& c, std::mt19937& rng, Buffers& inputs,
                               int64_t batch = 1) {
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, {batch, c.h, c.w, c.ic});
  int64_t max_sum = 0;
  const TensorId sums = AddInt8Convolution(b, c, x, rng, max_sum, batch);
  const Shape shape = b.graph().tensors[sums].shape;
  TensorId last = AddRescale(b, c, sums, shape, max_sum, rng);
  if (c.clamp) last = AddInt8Clamp(b, last, shape, c.clamp->first, c.clamp->second);
  b.Output(last);
  inputs = {BytesOf(RandomValues<int8_t>(rng, batch * c.h * c.w * c.ic, -128, 127))};
  return b;
}

inline std::string Describe(const ChainCase& c) {
  return std::string(c.depthwise ? "DEPTHWISE_CONV2D " : "CONV2D ") + std::to_string(c.ic) + "->" +
         std::to_string(OutChannels(c)) + " " + std::to_string(c.kh) + "x" + std::to_string(c.kw) +
         (c.per_channel ? " per channel" : " per tensor") + (c.scale32 ? "" : " scale16") +
         (c.double_round ? " double round" : "") + (c.output_unsigned ? " unsigned" : "") +
         (c.clamp ? " + CLAMP" : "");
}

inline const std::pair<int8_t, int8_t> kRelu{0, 127};

}  // namespace inferd::vulkan::testing
