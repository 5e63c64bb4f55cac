// CONV3D, TRANSPOSE_CONV2D and RESIZE on the Vulkan backend against the CPU backend: integer
// results byte for byte (zero points of both extremes, padding, strides, dilation, out_pad,
// upscaling and downscaling with offsets of either sign), FP32 convolutions within rounding of the
// CPU (whose optimised kernels may sum in another order), FP32 RESIZE byte for byte.
#include <gtest/gtest.h>

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
using namespace testing;  // NOLINT: the suite's own helpers

// Weights and a bias for a convolution of `dtype` (INT8 -> INT32 bias, FP32 in [-1, 1]), and its
// zero points, added to `b`; returns {weight, bias, input_zp, weight_zp}.
std::vector<graph::TensorId> ConvOperands(GraphBuilder& b, std::mt19937& rng, DType dtype,
                                          const Shape& weight_shape, int64_t bias_count,
                                          int8_t input_zp, int8_t weight_zp) {
  const size_t weights = testing::Count(weight_shape);
  if (dtype == DType::kInt8) {
    std::vector<int32_t> bias = RandomValues<int32_t>(rng, bias_count, -100000, 100000);
    return {b.Const("w", DType::kInt8, weight_shape, RandomValues<int8_t>(rng, weights, -128, 127)),
            b.Const("b", DType::kInt32, {bias_count}, bias),
            b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{input_zp}),
            b.Const("wzp", DType::kInt8, {1}, std::vector<int8_t>{weight_zp})};
  }
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> w(weights), bias(bias_count);
  for (float& v : w) v = dist(rng);
  for (float& v : bias) v = dist(rng);
  return {b.Const("w", DType::kFp32, weight_shape, w),
          b.Const("b", DType::kFp32, {bias_count}, bias),
          b.Const("izp", DType::kFp32, {1}, std::vector<float>{0}),
          b.Const("wzp", DType::kFp32, {1}, std::vector<float>{0})};
}

// Random input of `dtype`: INT8 over its whole range, FP32 in [-1, 1].
std::vector<uint8_t> ConvInput(std::mt19937& rng, DType dtype, size_t count) {
  if (dtype == DType::kInt8) return RandomBytes(rng, dtype, count);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float& v : values) v = dist(rng);
  return BytesOf(values);
}

void ExpectConvolutionAgrees(GraphBuilder& b, DType dtype, const std::vector<uint8_t>& input,
                             const std::string& what) {
  if (dtype == DType::kInt8) {
    ExpectSameOnBothBackends(b, {input}, what);
  } else {
    ExpectFp32Close(b, {input}, 1e-4f, what);
  }
}

TEST(VulkanConvResizeOpsTest, Conv3dWithZeroPointsPaddingStridesAndDilation) {
  std::mt19937 rng(71);
  struct Case {
    DType dtype;
    int64_t n, d, h, w, ic, oc, kd, kh, kw;
    std::vector<int32_t> pad, stride, dilation;
    int8_t input_zp, weight_zp;
    bool per_channel_bias;
  };
  // clang-format off
  const Case cases[] = {
      {DType::kInt8, 1, 4, 5, 6, 3, 4, 2, 3, 3, {1, 0, 1, 1, 1, 1}, {1, 1, 1}, {1, 1, 1}, 0, 0, true},
      {DType::kInt8, 2, 7, 6, 5, 5, 3, 3, 2, 2, {0, 2, 1, 0, 2, 1}, {2, 1, 2}, {1, 2, 1}, -128, 127, true},
      {DType::kInt8, 1, 3, 10, 4, 17, 2, 1, 1, 1, {0, 0, 0, 0, 0, 0}, {1, 3, 1}, {1, 1, 1}, 127, -1, false},
      {DType::kFp32, 2, 5, 6, 7, 4, 3, 2, 3, 2, {1, 1, 0, 1, 1, 0}, {1, 2, 1}, {2, 1, 1}, 0, 0, true},
  };
  // clang-format on
  for (const Case& c : cases) {
    const int64_t od = ConvOutSize(c.d, c.kd, c.pad[0], c.pad[1], c.stride[0], c.dilation[0]);
    const int64_t oh = ConvOutSize(c.h, c.kh, c.pad[2], c.pad[3], c.stride[1], c.dilation[1]);
    const int64_t ow = ConvOutSize(c.w, c.kw, c.pad[4], c.pad[5], c.stride[2], c.dilation[2]);
    GraphBuilder b;
    const auto x = b.Input("x", c.dtype, {c.n, c.d, c.h, c.w, c.ic});
    std::vector<graph::TensorId> inputs =
        ConvOperands(b, rng, c.dtype, {c.oc, c.kd, c.kh, c.kw, c.ic}, c.per_channel_bias ? c.oc : 1,
                     c.input_zp, c.weight_zp);
    inputs.insert(inputs.begin(), x);
    const DType out = c.dtype == DType::kInt8 ? DType::kInt32 : DType::kFp32;
    const auto y = b.Tensor("y", out, {c.n, od, oh, ow, c.oc});
    graph::Conv3dAttr attr;
    attr.pad = c.pad;
    attr.stride = c.stride;
    attr.dilation = c.dilation;
    attr.acc_type = out;
    b.Add(Op::kConv3d, attr, inputs, {y});
    b.Output(y);
    ExpectConvolutionAgrees(b, c.dtype, ConvInput(rng, c.dtype, c.n * c.d * c.h * c.w * c.ic),
                            "CONV3D " + std::string(graph::DTypeName(c.dtype)) + " " +
                                std::to_string(c.ic) + "->" + std::to_string(c.oc));
  }
}

TEST(VulkanConvResizeOpsTest, TransposeConv2dWithZeroPointsStridesAndOutPad) {
  std::mt19937 rng(72);
  struct Case {
    DType dtype;
    int64_t n, h, w, ic, oc, kh, kw;
    std::vector<int32_t> out_pad, stride;
    int8_t input_zp, weight_zp;
    bool per_channel_bias;
  };
  const Case cases[] = {
      {DType::kInt8, 1, 4, 5, 3, 4, 3, 3, {0, 0, 0, 0}, {1, 1}, 0, 0, true},
      {DType::kInt8, 2, 5, 3, 5, 3, 3, 2, {1, 0, 0, 2}, {2, 3}, -128, 127, true},
      {DType::kInt8, 1, 3, 4, 17, 2, 2, 2, {-1, 1, 2, -1}, {3, 1}, 127, -1, false},
      {DType::kFp32, 2, 4, 6, 4, 3, 3, 4, {0, 1, -1, 0}, {2, 2}, 0, 0, true},
  };
  for (const Case& c : cases) {
    const int64_t oh = (c.h - 1) * c.stride[0] + c.out_pad[0] + c.out_pad[1] + c.kh;
    const int64_t ow = (c.w - 1) * c.stride[1] + c.out_pad[2] + c.out_pad[3] + c.kw;
    GraphBuilder b;
    const auto x = b.Input("x", c.dtype, {c.n, c.h, c.w, c.ic});
    std::vector<graph::TensorId> inputs =
        ConvOperands(b, rng, c.dtype, {c.oc, c.kh, c.kw, c.ic}, c.per_channel_bias ? c.oc : 1,
                     c.input_zp, c.weight_zp);
    inputs.insert(inputs.begin(), x);
    const DType out = c.dtype == DType::kInt8 ? DType::kInt32 : DType::kFp32;
    const auto y = b.Tensor("y", out, {c.n, oh, ow, c.oc});
    graph::TransposeConv2dAttr attr;
    attr.out_pad = c.out_pad;
    attr.stride = c.stride;
    attr.acc_type = out;
    b.Add(Op::kTransposeConv2d, attr, inputs, {y});
    b.Output(y);
    ExpectConvolutionAgrees(b, c.dtype, ConvInput(rng, c.dtype, c.n * c.h * c.w * c.ic),
                            "TRANSPOSE_CONV2D " + std::string(graph::DTypeName(c.dtype)) + " " +
                                std::to_string(c.ic) + "->" + std::to_string(c.oc));
  }
}

TEST(VulkanConvResizeOpsTest, ResizeNearestAndBilinearWithOffsetsAndBorders) {
  std::mt19937 rng(73);
  struct Case {
    DType dtype;
    graph::ResizeMode mode;
    int64_t n, h, w, c;
    int64_t scale_y_n, scale_y_d, scale_x_n, scale_x_d, offset_y, offset_x;
  };
  constexpr auto kNearest = graph::ResizeMode::kNearest;
  constexpr auto kBilinear = graph::ResizeMode::kBilinear;
  const Case cases[] = {
      {DType::kInt8, kNearest, 2, 5, 7, 3, 4, 1, 3, 1, 0, 0},
      {DType::kInt8, kNearest, 1, 9, 8, 2, 3, 5, 7, 3, -2, 5},
      {DType::kInt16, kNearest, 1, 6, 11, 4, 5, 2, 2, 7, 1, -1},
      {DType::kFp32, kNearest, 2, 4, 5, 3, 7, 3, 16, 5, -3, 2},
      {DType::kInt8, kBilinear, 2, 5, 6, 3, 4, 1, 3, 1, 0, 0},
      {DType::kInt8, kBilinear, 1, 8, 9, 5, 11, 3, 7, 5, -5, 9},
      {DType::kInt8, kBilinear, 1, 12, 7, 2, 2, 5, 16, 3, 3, -7},
      {DType::kFp32, kBilinear, 2, 5, 7, 3, 6, 4, 9, 2, -2, 4},
  };
  for (const Case& c : cases) {
    // The border that makes each output size whole, and the output size it gives.
    auto border = [](int64_t in, int64_t num, int64_t den, int64_t offset) {
      return -(((in - 1) * num - offset) % den);
    };
    const int64_t border_y = border(c.h, c.scale_y_n, c.scale_y_d, c.offset_y);
    const int64_t border_x = border(c.w, c.scale_x_n, c.scale_x_d, c.offset_x);
    const int64_t oh = ((c.h - 1) * c.scale_y_n - c.offset_y + border_y) / c.scale_y_d + 1;
    const int64_t ow = ((c.w - 1) * c.scale_x_n - c.offset_x + border_x) / c.scale_x_d + 1;
    GraphBuilder b;
    const auto x = b.Input("x", c.dtype, {c.n, c.h, c.w, c.c});
    const auto scale = b.ConstShape("scale", {c.scale_y_n, c.scale_y_d, c.scale_x_n, c.scale_x_d});
    const auto offset = b.ConstShape("offset", {c.offset_y, c.offset_x});
    const auto border_id = b.ConstShape("border", {border_y, border_x});
    const DType out = c.mode == kBilinear && c.dtype == DType::kInt8 ? DType::kInt32 : c.dtype;
    const auto y = b.Tensor("y", out, {c.n, oh, ow, c.c});
    graph::ResizeAttr attr;
    attr.mode = c.mode;
    b.Add(Op::kResize, attr, {x, scale, offset, border_id}, {y});
    b.Output(y);
    const std::string what = "RESIZE " + std::string(graph::DTypeName(c.dtype)) +
                             (c.mode == kBilinear ? " BILINEAR " : " NEAREST ") +
                             std::to_string(oh) + "x" + std::to_string(ow);
    const std::vector<uint8_t> input = RandomBytes(rng, c.dtype, c.n * c.h * c.w * c.c);
    // FP32 BILINEAR too: the shader rounds each operation in the CPU kernel's order.
    ExpectSameOnBothBackends(b, {input}, what);
  }
}

}  // namespace
}  // namespace inferd::vulkan
