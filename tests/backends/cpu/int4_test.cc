// EXT-INT4 on the CPU backend: INT4 constants are unpacked at load (two elements a byte, low
// nibble first, sign-extended), the data-layout operators move INT4 values, and the convolutions
// take INT4 weights and weight zero points beside INT8 inputs. Expected values are worked out from
// the specification's CONV2D pseudo-code by hand.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "backends/cpu/graph_executor.h"
#include "engine/graph/graph.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;
using test_graphs::GraphBuilder;

// x INT8 [1,1,1,1]; weights INT4 [4] = {-7, -1, 0, 7} packed as {0xF9, 0x70}, reshaped to
// [4,1,1,1] and reversed along the output channels: {7, 0, -1, -7}; weight_zp INT4 -1 (0x0F).
// out[c] = x * (w[c] - weight_zp) = x * {8, 1, 0, -6}.
std::shared_ptr<const graph::Graph> Int4Conv(Op conv) {
  GraphBuilder b;
  const TensorId x = b.Input("x", DType::kInt8, {1, 1, 1, 1});
  const TensorId packed = b.ConstBytes("w4", DType::kInt4, {4}, {0xF9, 0x70});
  const bool depthwise = conv == Op::kDepthwiseConv2d;
  // CONV2D weights are [OC, KH, KW, IC]; DEPTHWISE_CONV2D [KH, KW, C, M].
  const Shape weight_shape = depthwise ? Shape{1, 1, 1, 4} : Shape{4, 1, 1, 1};
  const TensorId shape = b.ConstShape("shape", weight_shape);
  const TensorId reshaped = b.Tensor("reshaped", DType::kInt4, weight_shape);
  const TensorId weights = b.Tensor("weights", DType::kInt4, weight_shape);
  b.Add(Op::kReshape, {}, {packed, shape}, {reshaped});
  b.Add(Op::kReverse, graph::ReverseAttr{depthwise ? 3 : 0}, {reshaped}, {weights});
  const TensorId bias = b.Const<int32_t>("bias", DType::kInt32, {4}, {0, 0, 0, 0});
  const TensorId input_zp = b.Const<int8_t>("input_zp", DType::kInt8, {1}, {0});
  const TensorId weight_zp = b.ConstBytes("weight_zp", DType::kInt4, {1}, {0x0F});
  const TensorId out = b.Tensor("out", DType::kInt32, {1, 1, 1, 4});
  if (depthwise) {
    b.Add(conv, graph::DepthwiseConv2dAttr{{0, 0, 0, 0}, {1, 1}, {1, 1}, false, DType::kInt32},
          {x, weights, bias, input_zp, weight_zp}, {out});
  } else {
    b.Add(conv, graph::Conv2dAttr{{0, 0, 0, 0}, {1, 1}, {1, 1}, false, DType::kInt32},
          {x, weights, bias, input_zp, weight_zp}, {out});
  }
  b.Output(out);
  return b.Build();
}

// Runs a graph with one INT8 input and one INT32 output of `outputs` elements, unfolded and then
// folded (where `folded` operators must fold); returns both outputs.
std::vector<std::vector<int32_t>> RunBothWays(const std::shared_ptr<const graph::Graph>& g,
                                              const std::vector<int8_t>& x, size_t outputs,
                                              size_t folded) {
  std::vector<std::vector<int32_t>> results;
  for (bool fold : {false, true}) {
    auto executor = GraphExecutor::Create(g, GraphExecutorOptions{fold});
    EXPECT_TRUE(executor.ok()) << executor.status();
    if (!executor.ok()) return results;
    EXPECT_EQ((*executor)->folded_operator_count(), fold ? folded : 0u);
    std::vector<int32_t> out(outputs, -1);
    const std::span<const uint8_t> in(reinterpret_cast<const uint8_t*>(x.data()), x.size());
    const std::span<uint8_t> out_bytes(reinterpret_cast<uint8_t*>(out.data()), outputs * 4);
    EXPECT_TRUE((*executor)->Run({&in, 1}, {&out_bytes, 1}).ok());
    results.push_back(out);
  }
  return results;
}

TEST(Int4Test, Conv2dWithInt4WeightsThroughReshapeAndReverse) {
  for (const auto& result : RunBothWays(Int4Conv(Op::kConv2d), {3}, 4, 2)) {  // RESHAPE, REVERSE
    EXPECT_EQ(result, (std::vector<int32_t>{24, 3, 0, -18}));
  }
  for (const auto& result : RunBothWays(Int4Conv(Op::kConv2d), {-128}, 4, 2)) {
    EXPECT_EQ(result, (std::vector<int32_t>{-1024, -128, 0, 768}));
  }
}

TEST(Int4Test, DepthwiseConv2dWithInt4Weights) {
  for (const auto& result : RunBothWays(Int4Conv(Op::kDepthwiseConv2d), {3}, 4, 2)) {
    EXPECT_EQ(result, (std::vector<int32_t>{24, 3, 0, -18}));
  }
}

// CONCAT, PAD, SLICE, TILE, RESHAPE, TRANSPOSE and IDENTITY on INT4 build CONV2D weights:
//   concat({1, -2}, {3, -4})          = {1, -2, 3, -4}
//   pad by 1 each side with 5         = {5, 1, -2, 3, -4, 5}
//   slice from 1, size 4              = {1, -2, 3, -4}
//   tile x2, reshape [2,4]            = {{1, -2, 3, -4}, {1, -2, 3, -4}}
//   transpose, identity, reshape      = weights [4,1,1,2] {{1,1}, {-2,-2}, {3,3}, {-4,-4}}
// With x = {2, 3}: out[c] = 2 * w[c] + 3 * w[c] = {5, -10, 15, -20}.
TEST(Int4Test, DataLayoutOperatorsMoveInt4Values) {
  GraphBuilder b;
  const TensorId x = b.Input("x", DType::kInt8, {1, 1, 1, 2});
  const TensorId a = b.ConstBytes("a", DType::kInt4, {2}, {0xE1});  // {1, -2}
  const TensorId c = b.ConstBytes("c", DType::kInt4, {2}, {0xC3});  // {3, -4}
  const TensorId concat = b.Tensor("concat", DType::kInt4, {4});
  b.Add(Op::kConcat, graph::ConcatAttr{0}, {a, c}, {concat});
  const TensorId five = b.ConstBytes("five", DType::kInt4, {1}, {0x05});
  const TensorId padded = b.Tensor("padded", DType::kInt4, {6});
  b.Add(Op::kPad, {}, {concat, b.ConstShape("padding", {1, 1}), five}, {padded});
  const TensorId sliced = b.Tensor("sliced", DType::kInt4, {4});
  b.Add(Op::kSlice, {}, {padded, b.ConstShape("start", {1}), b.ConstShape("size", {4})}, {sliced});
  const TensorId tiled = b.Tensor("tiled", DType::kInt4, {8});
  b.Add(Op::kTile, {}, {sliced, b.ConstShape("multiples", {2})}, {tiled});
  const TensorId rows = b.Tensor("rows", DType::kInt4, {2, 4});
  b.Add(Op::kReshape, {}, {tiled, b.ConstShape("rows_shape", {2, 4})}, {rows});
  const TensorId columns = b.Tensor("columns", DType::kInt4, {4, 2});
  b.Add(Op::kTranspose, graph::TransposeAttr{{1, 0}}, {rows}, {columns});
  const TensorId same = b.Tensor("same", DType::kInt4, {4, 2});
  b.Add(Op::kIdentity, {}, {columns}, {same});
  const TensorId weights = b.Tensor("weights", DType::kInt4, {4, 1, 1, 2});
  b.Add(Op::kReshape, {}, {same, b.ConstShape("weight_shape", {4, 1, 1, 2})}, {weights});
  const TensorId bias = b.Const<int32_t>("bias", DType::kInt32, {4}, {0, 0, 0, 0});
  const TensorId input_zp = b.Const<int8_t>("input_zp", DType::kInt8, {1}, {0});
  const TensorId weight_zp = b.ConstBytes("weight_zp", DType::kInt4, {1}, {0x00});
  const TensorId out = b.Tensor("out", DType::kInt32, {1, 1, 1, 4});
  b.Add(Op::kConv2d, graph::Conv2dAttr{{0, 0, 0, 0}, {1, 1}, {1, 1}, false, DType::kInt32},
        {x, weights, bias, input_zp, weight_zp}, {out});
  b.Output(out);
  for (const auto& result : RunBothWays(b.Build(), {2, 3}, 4, 8)) {
    EXPECT_EQ(result, (std::vector<int32_t>{5, -10, 15, -20}));
  }
}

// 1x1 CONV3D and TRANSPOSE_CONV2D with INT4 weights {-7, 7} (0x79) and x = 3: {-21, 21}.
TEST(Int4Test, Conv3dAndTransposeConv2dTakeInt4Weights) {
  for (Op op : {Op::kConv3d, Op::kTransposeConv2d}) {
    const bool conv3d = op == Op::kConv3d;
    GraphBuilder b;
    const Shape one = conv3d ? Shape{1, 1, 1, 1, 1} : Shape{1, 1, 1, 1};
    const TensorId x = b.Input("x", DType::kInt8, one);
    const TensorId weights = b.ConstBytes(
        "weights", DType::kInt4, conv3d ? Shape{2, 1, 1, 1, 1} : Shape{2, 1, 1, 1}, {0x79});
    const TensorId bias = b.Const<int32_t>("bias", DType::kInt32, {2}, {0, 0});
    const TensorId input_zp = b.Const<int8_t>("input_zp", DType::kInt8, {1}, {0});
    const TensorId weight_zp = b.ConstBytes("weight_zp", DType::kInt4, {1}, {0x00});
    const TensorId out =
        b.Tensor("out", DType::kInt32, conv3d ? Shape{1, 1, 1, 1, 2} : Shape{1, 1, 1, 2});
    graph::Attribute attr;
    if (conv3d) {
      attr = graph::Conv3dAttr{{0, 0, 0, 0, 0, 0}, {1, 1, 1}, {1, 1, 1}, false, DType::kInt32};
    } else {
      attr = graph::TransposeConv2dAttr{{0, 0, 0, 0}, {1, 1}, false, DType::kInt32};
    }
    b.Add(op, attr, {x, weights, bias, input_zp, weight_zp}, {out});
    b.Output(out);
    for (const auto& result : RunBothWays(b.Build(), {3}, 2, 0)) {
      EXPECT_EQ(result, (std::vector<int32_t>{-21, 21})) << graph::OpName(op);
    }
  }
}

}  // namespace
}  // namespace inferd::cpu
