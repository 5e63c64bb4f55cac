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

std::vector<int32_t> RunConv(std::shared_ptr<const graph::Graph> g, bool fold, int8_t x) {
  auto executor = GraphExecutor::Create(std::move(g), GraphExecutorOptions{fold});
  EXPECT_TRUE(executor.ok()) << executor.status();
  if (!executor.ok()) return {};
  EXPECT_EQ((*executor)->folded_operator_count(), fold ? 2u : 0u);  // RESHAPE, REVERSE
  std::vector<int32_t> out(4, -1);
  const std::span<const uint8_t> in(reinterpret_cast<const uint8_t*>(&x), 1);
  const std::span<uint8_t> out_bytes(reinterpret_cast<uint8_t*>(out.data()), 16);
  EXPECT_TRUE((*executor)->Run({&in, 1}, {&out_bytes, 1}).ok());
  return out;
}

TEST(Int4Test, Conv2dWithInt4WeightsThroughReshapeAndReverse) {
  for (bool fold : {false, true}) {
    EXPECT_EQ(RunConv(Int4Conv(Op::kConv2d), fold, 3), (std::vector<int32_t>{24, 3, 0, -18}))
        << "fold " << fold;
    EXPECT_EQ(RunConv(Int4Conv(Op::kConv2d), fold, -128),
              (std::vector<int32_t>{-1024, -128, 0, 768}))
        << "fold " << fold;
  }
}

TEST(Int4Test, DepthwiseConv2dWithInt4Weights) {
  for (bool fold : {false, true}) {
    EXPECT_EQ(RunConv(Int4Conv(Op::kDepthwiseConv2d), fold, 3),
              (std::vector<int32_t>{24, 3, 0, -18}))
        << "fold " << fold;
  }
}

}  // namespace
}  // namespace inferd::cpu
