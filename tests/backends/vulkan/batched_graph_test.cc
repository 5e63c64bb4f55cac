// engine/graph/batched_graph.h: a graph widened to a batch runs every item's work in one pass, with
// each item's bytes what the graph gives that item alone; what cannot be widened is refused naming
// the operator.
#include "engine/graph/batched_graph.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/backends/vulkan/convolution_chains.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using graph::TensorId;
using testing::AddInt8Clamp;
using testing::AddInt8Convolution;
using testing::AddRescale;
using testing::Buffers;
using testing::ChainCase;
using testing::RandomValues;

// An INT8 network in small: CONV2D 1x1 + RESCALE + CLAMP, DEPTHWISE_CONV2D 3x3 + RESCALE,
// AVG_POOL2D over the whole image, RESHAPE to a row and a fully connected MATMUL by constant
// weights (INT32 out), the shapes MobileNetV2's layers take.
GraphBuilder SmallNetwork(std::mt19937& rng) {
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, {1, 6, 6, 16});
  const ChainCase expand{false, 6, 6,    16,   24,   1,  1,     {0, 0, 0, 0},  {1, 1},
                         -3,    0, true, true, true, -7, false, testing::kRelu};
  int64_t max_sum = 0;
  TensorId t = AddInt8Convolution(b, expand, x, rng, max_sum);
  t = AddRescale(b, expand, t, {1, 6, 6, 24}, max_sum, rng);
  t = AddInt8Clamp(b, t, {1, 6, 6, 24}, 0, 127);
  // The helpers name their tensors alike; the second chain's must differ.
  for (graph::Tensor& tensor : b.graph().tensors) tensor.name += "_expand";
  const ChainCase depthwise{true, 6, 6,     24,   0,     3, 3,     {1, 1, 1, 1}, {1, 1},
                            0,    0, false, true, false, 3, false, std::nullopt};
  t = AddInt8Convolution(b, depthwise, t, rng, max_sum);
  t = AddRescale(b, depthwise, t, {1, 6, 6, 24}, max_sum, rng);
  const auto pooled = b.Tensor("pooled", DType::kInt8, {1, 1, 1, 24});
  graph::AvgPool2dAttr pool;
  pool.kernel = {6, 6};
  pool.stride = {1, 1};
  pool.pad = {0, 0, 0, 0};
  pool.acc_type = DType::kInt32;
  b.Add(Op::kAvgPool2d, pool,
        {t, b.Const("pizp", DType::kInt8, {1}, std::vector<int8_t>{3}),
         b.Const("pozp", DType::kInt8, {1}, std::vector<int8_t>{-2})},
        {pooled});
  const auto row = b.Tensor("row", DType::kInt8, {1, 1, 24});
  b.Add(Op::kReshape, {}, {pooled, b.ConstShape("row_shape", {1, 1, 24})}, {row});
  const auto weights =
      b.Const("fc", DType::kInt8, {1, 24, 12}, RandomValues<int8_t>(rng, 24 * 12, -128, 127));
  const auto scores = b.Tensor("scores", DType::kInt32, {1, 1, 12});
  b.Add(Op::kMatMul, {},
        {row, weights, b.Const("azp", DType::kInt8, {1}, std::vector<int8_t>{-2}),
         b.Const("bzp", DType::kInt8, {1}, std::vector<int8_t>{0})},
        {scores});
  b.Output(scores);
  return b;
}

TEST(VulkanBatchedGraphTest, AWholeBatchInOnePassGivesEachItemItsOwnBytes) {
  std::mt19937 rng(61);
  GraphBuilder b = SmallNetwork(rng);
  const auto graph = b.Build();
  constexpr int kItems = 5;
  auto batched = graph::BatchedGraph(*graph, kItems);
  ASSERT_TRUE(batched.ok()) << batched.status();
  // The input and output widened; the MATMUL reads the batch as rows of one matrix.
  const graph::Block& main = (*batched)->main_block();
  EXPECT_EQ((*batched)->tensor(main.inputs[0]).shape, (Shape{kItems, 6, 6, 16}));
  EXPECT_EQ((*batched)->tensor(main.outputs[0]).shape, (Shape{kItems, 1, 12}));
  for (const graph::Operator& op : main.operators) {
    if (op.op == Op::kMatMul) {
      EXPECT_EQ((*batched)->tensor(op.inputs[0]).shape, (Shape{1, kItems, 24}));
      EXPECT_EQ((*batched)->tensor(op.outputs[0]).shape, (Shape{1, kItems, 12}));
    }
  }

  const std::vector<uint8_t> images =
      cpu::test_graphs::BytesOf(RandomValues<int8_t>(rng, kItems * 6 * 6 * 16, -128, 127));
  const size_t image_bytes = images.size() / kItems;
  // One pass over the batch.
  auto whole = testing::RunOnGpu(*batched, {images});
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_EQ((*whole)[0].size(), kItems * 12 * sizeof(int32_t));
  // Each item alone, on the CPU backend and on the GPU.
  for (int item = 0; item < kItems; ++item) {
    const Buffers one = {std::vector<uint8_t>(images.begin() + item * image_bytes,
                                              images.begin() + (item + 1) * image_bytes)};
    auto cpu = testing::RunOnCpu(graph, one);
    ASSERT_TRUE(cpu.ok()) << cpu.status();
    auto gpu = testing::RunOnGpu(graph, one);
    ASSERT_TRUE(gpu.ok()) << gpu.status();
    const std::vector<uint8_t> slice((*whole)[0].begin() + item * 48,
                                     (*whole)[0].begin() + (item + 1) * 48);
    EXPECT_EQ(slice, (*cpu)[0]) << "item " << item;
    EXPECT_EQ(slice, (*gpu)[0]) << "item " << item;
  }
}

// PAD, SLICE and TILE widen where they leave the batch axis alone (no padding along it, the whole
// item sliced, no repeat): each item's bytes are those it gets alone, on both backends.
TEST(VulkanBatchedGraphTest, PadSliceAndTileThatLeaveTheBatchAxisAloneWiden) {
  std::mt19937 rng(67);
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, {1, 4, 6});
  const auto padded = b.Tensor("padded", DType::kInt8, {1, 6, 8});
  b.Add(Op::kPad, {},
        {x, b.ConstShape("padding", {0, 0, 1, 1, 0, 2}),
         b.Const("pad", DType::kInt8, {1}, std::vector<int8_t>{-5})},
        {padded});
  const auto sliced = b.Tensor("sliced", DType::kInt8, {1, 4, 3});
  b.Add(Op::kSlice, {}, {padded, b.ConstShape("start", {0, 1, 2}), b.ConstShape("size", {1, 4, 3})},
        {sliced});
  const auto tiled = b.Tensor("tiled", DType::kInt8, {1, 8, 3});
  b.Add(Op::kTile, {}, {sliced, b.ConstShape("multiples", {1, 2, 1})}, {tiled});
  b.Output(tiled);
  const auto graph = b.Build();
  constexpr int kItems = 4;
  auto batched = graph::BatchedGraph(*graph, kItems);
  ASSERT_TRUE(batched.ok()) << batched.status();
  const std::vector<uint8_t> items =
      cpu::test_graphs::BytesOf(RandomValues<int8_t>(rng, kItems * 4 * 6, -128, 127));
  auto gpu = testing::RunOnGpu(*batched, {items});
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  auto cpu = testing::RunOnCpu(*batched, {items});
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  for (int item = 0; item < kItems; ++item) {
    auto alone = testing::RunOnCpu(
        graph, {std::vector<uint8_t>(items.begin() + item * 24, items.begin() + (item + 1) * 24)});
    ASSERT_TRUE(alone.ok()) << alone.status();
    const std::vector<uint8_t> gpu_item((*gpu)[0].begin() + item * 24,
                                        (*gpu)[0].begin() + (item + 1) * 24);
    const std::vector<uint8_t> cpu_item((*cpu)[0].begin() + item * 24,
                                        (*cpu)[0].begin() + (item + 1) * 24);
    EXPECT_EQ(gpu_item, (*alone)[0]) << "item " << item;
    EXPECT_EQ(cpu_item, (*alone)[0]) << "item " << item;
  }
  // A repeat of the batch axis is refused (padding along it: the test below).
  GraphBuilder across;
  const auto y = across.Input("y", DType::kInt8, {1, 4});
  const auto repeated = across.Tensor("repeated", DType::kInt8, {2, 4});
  across.Add(Op::kTile, {}, {y, across.ConstShape("multiples", {2, 1})}, {repeated});
  across.Output(repeated);
  auto refused = graph::BatchedGraph(*across.Build(), kItems);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnimplemented) << refused.status();
}

// Each refusal names the operator and why; the backend then runs batches item by item.
TEST(VulkanBatchedGraphTest, WhatDoesNotKeepItsItemsApartIsRefusedNamingTheOperator) {
  struct Case {
    std::string what;
    GraphBuilder graph;
    std::string message;
  };
  std::vector<Case> cases;
  {
    GraphBuilder b;  // a reduction across the batch mixes the items
    const auto x = b.Input("x", DType::kInt32, {1, 4});
    const auto y = b.Tensor("y", DType::kInt32, {1, 4});
    b.Add(Op::kReduceSum, graph::ReduceSumAttr{0}, {x}, {y});
    b.Output(y);
    cases.push_back({"REDUCE_SUM along 0", b, "operator #0 (REDUCE_SUM) works along the batch"});
  }
  {
    GraphBuilder b;  // an input that is not one item
    const auto x = b.Input("x", DType::kInt32, {2, 4});
    const auto y = b.Tensor("y", DType::kInt32, {2, 4});
    b.Add(Op::kAbs, {}, {x}, {y});
    b.Output(y);
    cases.push_back({"leading 2", b, "graph input 'x' needs a leading dimension of 1"});
  }
  {
    GraphBuilder b;  // an operator without a batched form here
    const auto values = b.Input("values", DType::kInt32, {1, 5, 3});
    const auto y = b.Tensor("y", DType::kInt32, {1, 2, 3});
    b.Add(Op::kGather, {},
          {values, b.Const("indices", DType::kInt32, {1, 2}, std::vector<int32_t>{4, 0})}, {y});
    b.Output(y);
    cases.push_back({"GATHER", b, "(GATHER) has no batched form here"});
  }
  {
    GraphBuilder b;  // padding along the batch axis
    const auto x = b.Input("x", DType::kInt32, {1, 4});
    const auto y = b.Tensor("y", DType::kInt32, {2, 6});
    b.Add(Op::kPad, {},
          {x, b.ConstShape("padding", {1, 0, 1, 1}),
           b.Const("pad", DType::kInt32, {1}, std::vector<int32_t>{0})},
          {y});
    b.Output(y);
    cases.push_back({"PAD along 0", b, "operator #2 (PAD) works along the batch axis"});
  }
  {
    GraphBuilder b;  // an output that is the same for every item
    const auto x = b.Input("x", DType::kInt32, {1, 4});
    const auto y = b.Tensor("y", DType::kInt32, {1, 4});
    b.Add(Op::kAbs, {}, {x}, {y});
    b.Output(y);
    b.Output(b.Const("c", DType::kInt32, {1, 4}, std::vector<int32_t>{1, 2, 3, 4}));
    cases.push_back({"constant output", b, "graph output 'c' does not depend on the inputs"});
  }
  for (Case& c : cases) {
    const auto graph = c.graph.Build();
    auto batched = graph::BatchedGraph(*graph, 4);
    ASSERT_FALSE(batched.ok()) << c.what;
    EXPECT_EQ(batched.status().code(), absl::StatusCode::kUnimplemented) << c.what;
    EXPECT_NE(batched.status().message().find(c.message), std::string::npos)
        << c.what << ": " << batched.status();
  }
}

}  // namespace
}  // namespace inferd::vulkan
