// A loaded graph holds each weight once (backends/cpu/graph_executor.h): a CONST weight that the
// optimised kernels read only through the copy they packed at load is dropped from the executor's
// graph (and a folded weight's buffer with it), a constant also read at run time is kept, a fused
// convolution packs its weight once, and executors sharing a PackedWeights store share the packed
// copy; likewise a MATMUL's constant right-hand side. The caller's graph keeps every byte, and the
// outputs equal the reference kernel's.
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernel_binding.h"
#include "backends/cpu/kernels/optimized/rescale_kernels.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "backends/cpu/packed_weights.h"
#include "engine/graph/graph.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/conv_test_graph.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;
using test_graphs::Conv;
using test_graphs::ConvGraph;
using test_graphs::ConvInput;
using test_graphs::ElementBytes;
using test_graphs::ExpectSameValues;
using test_graphs::kIn;
using test_graphs::kOut;

// The graph's outputs for ConvInput of its input's type.
std::vector<std::vector<uint8_t>> RunGraph(GraphExecutor& executor) {
  const graph::Graph& g = executor.graph();
  const std::vector<uint8_t> x = ConvInput(g.tensor(g.main_block().inputs[0]).dtype);
  std::vector<std::vector<uint8_t>> outputs;
  std::vector<std::span<uint8_t>> spans;
  for (TensorId id : g.main_block().outputs) outputs.emplace_back(executor.StorageBytes(id));
  for (std::vector<uint8_t>& output : outputs) spans.emplace_back(output);
  const std::span<const uint8_t> in[] = {x};
  EXPECT_TRUE(executor.Run(in, spans).ok());
  return outputs;
}

// The CONV2D's output as the reference kernel computes it from the caller's graph.
std::vector<uint8_t> ReferenceConv(const ConvGraph& conv) {
  const graph::Graph& g = *conv.graph;
  std::vector<std::vector<uint8_t>> buffers(g.tensors.size());
  std::vector<uint8_t*> data(g.tensors.size(), nullptr);
  for (TensorId id = 0; id < g.tensors.size(); ++id) {
    const graph::Tensor& t = g.tensor(id);
    buffers[id] = t.data;
    buffers[id].resize(static_cast<size_t>(graph::ElementCount(t).value_or(0)) *
                       StorageElementBytes(t.dtype));
  }
  buffers[conv.weight] = g.tensor(conv.source).data;
  buffers[g.main_block().inputs[0]] = ConvInput(g.tensor(g.main_block().inputs[0]).dtype);
  for (TensorId id = 0; id < g.tensors.size(); ++id) data[id] = buffers[id].data();
  for (const graph::Operator& op : g.main_block().operators) {
    if (op.op != Op::kConv2d) continue;
    absl::StatusOr<BoundStep> reference = BindOperator(g, op);  // no packing: the reference
    EXPECT_TRUE(reference.ok()) << reference.status();
    if (reference.ok()) {
      EXPECT_TRUE((*reference)(data).ok());
    }
  }
  return buffers[conv.conv];
}

class ConstantOwnershipTest : public test_graphs::OptimisedConvTest {};

TEST_P(ConstantOwnershipTest, PackedWeightIsDroppedFromTheExecutorsGraph) {
  const DType type = GetParam();
  const ConvGraph conv = Conv(type);
  const size_t weight_bytes = kOut * 9 * kIn * ElementBytes(type);
  auto executor = GraphExecutor::Create(conv.graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  const graph::Graph& held = (*executor)->graph();
  EXPECT_TRUE(held.tensor(conv.weight).data.empty());
  EXPECT_FALSE(held.tensor(conv.bias).data.empty());                     // read on every run
  EXPECT_EQ(conv.graph->tensor(conv.weight).data.size(), weight_bytes);  // the caller's is whole
  EXPECT_EQ((*executor)->dropped_constant_bytes(), weight_bytes);
  EXPECT_GE((*executor)->packed_weight_bytes(), weight_bytes);
  ExpectSameValues(type, RunGraph(**executor)[0], ReferenceConv(conv));
}

TEST_P(ConstantOwnershipTest, FoldedWeightAndItsSourceAreDropped) {
  const DType type = GetParam();
  const ConvGraph conv = Conv(type, {.folded_weight = true});
  const size_t weight_bytes = kOut * 9 * kIn * ElementBytes(type);
  auto executor = GraphExecutor::Create(conv.graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  ASSERT_EQ((*executor)->folded_operator_count(), 1u);
  EXPECT_TRUE((*executor)->graph().tensor(conv.source).data.empty());
  // The CONST's payload and the folded IDENTITY's buffer.
  EXPECT_EQ((*executor)->dropped_constant_bytes(), 2 * weight_bytes);
  ExpectSameValues(type, RunGraph(**executor)[0], ReferenceConv(conv));
}

TEST_P(ConstantOwnershipTest, ConstantAlsoReadAtRunTimeIsKept) {
  const DType type = GetParam();
  const ConvGraph conv = Conv(type, {.weight_is_output = true});
  auto executor = GraphExecutor::Create(conv.graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  EXPECT_EQ((*executor)->graph().tensor(conv.source).data, conv.graph->tensor(conv.source).data);
  EXPECT_EQ((*executor)->dropped_constant_bytes(), 0u);
  const std::vector<std::vector<uint8_t>> outputs = RunGraph(**executor);
  ASSERT_EQ(outputs.size(), 2u);
  ExpectSameValues(type, outputs[0], ReferenceConv(conv));
  EXPECT_EQ(outputs[1], conv.graph->tensor(conv.source).data);
}

TEST_P(ConstantOwnershipTest, ExecutorsSharingAStoreShareThePackedWeight) {
  const DType type = GetParam();
  const ConvGraph conv = Conv(type);
  auto alone = GraphExecutor::Create(conv.graph);
  ASSERT_TRUE(alone.ok()) << alone.status();
  auto store = std::make_shared<PackedWeights>();
  auto first = GraphExecutor::Create(conv.graph, {.packed_weights = store});
  auto second = GraphExecutor::Create(conv.graph, {.packed_weights = store});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(store->size(), 1u);
  EXPECT_EQ(store->bytes(), (*alone)->packed_weight_bytes());
  const std::vector<uint8_t> expected = ReferenceConv(conv);
  ExpectSameValues(type, RunGraph(**first)[0], expected);
  ExpectSameValues(type, RunGraph(**second)[0], expected);
}

// MATMUL with a constant B: the optimised kernel is handed the (dropped) B operand too, and reads
// only the packed copy.
TEST_P(ConstantOwnershipTest, MatmulConstantRightHandSideIsDropped) {
  const DType type = GetParam();
  const bool int8 = type == DType::kInt8;
  constexpr int64_t kRows = 4, kDepth = 32, kColumns = 24;
  test_graphs::GraphBuilder b;
  const TensorId a = b.Input("a", type, {1, kRows, kDepth});
  const size_t b_count = kDepth * kColumns;
  const TensorId rhs =
      int8 ? b.Const("b", type, {1, kDepth, kColumns}, test_graphs::Random<int8_t>(b_count, 4))
           : b.Const("b", type, {1, kDepth, kColumns}, test_graphs::Random<float>(b_count, 4));
  const TensorId azp = int8 ? b.Const("azp", type, {1}, std::vector<int8_t>{-3})
                            : b.Const("azp", type, {1}, std::vector<float>{0});
  const TensorId bzp = int8 ? b.Const("bzp", type, {1}, std::vector<int8_t>{5})
                            : b.Const("bzp", type, {1}, std::vector<float>{0});
  const TensorId out = b.Tensor("out", int8 ? DType::kInt32 : type, {1, kRows, kColumns});
  b.Add(Op::kMatMul, {}, {a, rhs, azp, bzp}, {out});
  b.Output(out);
  const std::shared_ptr<const graph::Graph> g = b.Build();

  auto executor = GraphExecutor::Create(g);
  ASSERT_TRUE(executor.ok()) << executor.status();
  EXPECT_TRUE((*executor)->graph().tensor(rhs).data.empty());
  EXPECT_EQ((*executor)->dropped_constant_bytes(), b_count * ElementBytes(type));
  const std::vector<uint8_t> x =
      int8 ? test_graphs::BytesOf(test_graphs::Random<int8_t>(kRows * kDepth, 5))
           : test_graphs::BytesOf(test_graphs::Random<float>(kRows * kDepth, 5));
  std::vector<uint8_t> y((*executor)->StorageBytes(out));
  const std::span<const uint8_t> in[] = {x};
  const std::span<uint8_t> outs[] = {y};
  ASSERT_TRUE((*executor)->Run(in, outs).ok());

  // The reference kernel on the caller's graph.
  std::vector<std::vector<uint8_t>> buffers(g->tensors.size());
  std::vector<uint8_t*> data(g->tensors.size(), nullptr);
  for (TensorId id = 0; id < g->tensors.size(); ++id) {
    buffers[id] = g->tensor(id).data;
    buffers[id].resize((*executor)->StorageBytes(id));
  }
  buffers[a] = x;
  for (TensorId id = 0; id < g->tensors.size(); ++id) data[id] = buffers[id].data();
  absl::StatusOr<BoundStep> reference = BindOperator(*g, g->main_block().operators.back());
  ASSERT_TRUE(reference.ok()) << reference.status();
  ASSERT_TRUE((*reference)(data).ok());
  ExpectSameValues(type, y, buffers[out]);
}

INSTANTIATE_TEST_SUITE_P(Types, ConstantOwnershipTest,
                         ::testing::Values(DType::kInt8, DType::kFp32),
                         [](const ::testing::TestParamInfo<DType>& info) {
                           return info.param == DType::kInt8 ? "Int8" : "Fp32";
                         });

// The fused step binds the convolution twice (fused, and alone for the operand values the fused
// epilogue does not take); both read one packed copy.
TEST(ConstantOwnershipFusionTest, FusedConvolutionPacksItsWeightOnce) {
  if (kernels::optimized::SelectTileKernels() == nullptr ||
      kernels::optimized::SelectRescaleKernels() == nullptr) {
    GTEST_SKIP() << "no optimised kernels on this CPU (or INFERD_CPU_KERNELS=reference)";
  }
  const ConvGraph fused = Conv(DType::kInt8, {.rescale = true});
  const ConvGraph alone = Conv(DType::kInt8);
  auto fused_executor = GraphExecutor::Create(fused.graph);
  auto alone_executor = GraphExecutor::Create(alone.graph);
  ASSERT_TRUE(fused_executor.ok()) << fused_executor.status();
  ASSERT_TRUE(alone_executor.ok()) << alone_executor.status();
  ASSERT_EQ((*fused_executor)->OperatorProfile().size(), 1u);  // CONV2D+RESCALE, one step
  EXPECT_EQ((*fused_executor)->packed_weight_bytes(), (*alone_executor)->packed_weight_bytes());
  EXPECT_TRUE((*fused_executor)->graph().tensor(fused.weight).data.empty());
  // The same outputs as where the weight is kept (it is a graph output too).
  const ConvGraph kept = Conv(DType::kInt8, {.weight_is_output = true, .rescale = true});
  auto kept_executor = GraphExecutor::Create(kept.graph);
  ASSERT_TRUE(kept_executor.ok()) << kept_executor.status();
  EXPECT_EQ(RunGraph(**fused_executor)[0], RunGraph(**kept_executor)[0]);
}

}  // namespace
}  // namespace inferd::cpu
