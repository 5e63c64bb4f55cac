// Weights that constant folding computes at load (here an IDENTITY of a CONST, standing in for the
// RESHAPE / TRANSPOSE / CAST chains exporters emit) are packed for the optimised convolutions like
// CONST weights (backends/cpu/load_time_constants.h): binding with the folded value gives a step
// that never reads the weight tensor at run time (the optimised kernel; the reference kernel reads
// it on every run), and a folded graph computes the same bytes as one whose weight is a CONST.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernel_binding.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "backends/cpu/load_time_constants.h"
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

std::vector<uint8_t> RunExecutor(const ConvGraph& conv, DType type) {
  auto executor = GraphExecutor::Create(conv.graph);
  EXPECT_TRUE(executor.ok()) << executor.status();
  if (!executor.ok()) return {};
  const std::vector<uint8_t> x = ConvInput(type);
  std::vector<uint8_t> y((*executor)->StorageBytes(conv.output));
  const std::span<const uint8_t> in[] = {x};
  const std::span<uint8_t> out[] = {y};
  EXPECT_TRUE((*executor)->Run(in, out).ok());
  return y;
}

class FoldedWeightBindingTest : public test_graphs::OptimisedConvTest {};

// The step bound with the folded weight keeps computing with the load-time value when the weight
// tensor's bytes change afterwards: it packed them, as only the optimised kernel does.
TEST_P(FoldedWeightBindingTest, FoldedWeightBindsTheOptimisedConvolution) {
  const DType type = GetParam();
  const ConvGraph conv = Conv(type, {.folded_weight = true});
  const graph::Graph& g = *conv.graph;
  // Every tensor's buffer, as the executor holds them after folding.
  std::vector<std::vector<uint8_t>> buffers(g.tensors.size());
  std::vector<uint8_t*> data(g.tensors.size(), nullptr);
  for (TensorId id = 0; id < g.tensors.size(); ++id) {
    const graph::Tensor& t = g.tensor(id);
    buffers[id] = t.data;
    buffers[id].resize(static_cast<size_t>(graph::ElementCount(t).value_or(0)) *
                       StorageElementBytes(t.dtype));
    data[id] = buffers[id].data();
  }
  const graph::Operator& identity = g.main_block().operators[1];
  ASSERT_EQ(identity.op, Op::kIdentity);
  const TensorId source = identity.inputs[0];    // the CONST the folded weight copies
  buffers[conv.weight] = g.tensor(source).data;  // the folded value
  data[conv.weight] = buffers[conv.weight].data();
  buffers[g.main_block().inputs[0]] = ConvInput(type);
  data[g.main_block().inputs[0]] = buffers[g.main_block().inputs[0]].data();
  std::vector<bool> folded(g.tensors.size(), false);
  folded[conv.weight] = true;

  const graph::Operator& conv_op = g.main_block().operators.back();
  ASSERT_EQ(conv_op.op, Op::kConv2d);
  absl::StatusOr<BoundStep> with_folding =
      BindOperator(g, conv_op, LoadTimeConstants(g, data, folded));
  absl::StatusOr<BoundStep> const_only = BindOperator(g, conv_op);  // the reference kernel
  ASSERT_TRUE(with_folding.ok()) << with_folding.status();
  ASSERT_TRUE(const_only.ok()) << const_only.status();

  ASSERT_TRUE((*const_only)(data).ok());
  const std::vector<uint8_t> expected = buffers[conv.output];
  std::fill(buffers[conv.output].begin(), buffers[conv.output].end(), 0xab);
  // The weight tensor's bytes change (zeros): a step that reads them at run time would see it.
  std::fill(buffers[conv.weight].begin(), buffers[conv.weight].end(), 0);
  ASSERT_TRUE((*with_folding)(data).ok());
  // Not the zero weights' bias-only output.
  test_graphs::ExpectSameValues(type, buffers[conv.output], expected);
}

// Through the executor: a folded weight gives the same bytes as the same weight as a CONST (both
// bind the optimised kernel), and folding took the IDENTITY out of the run.
TEST_P(FoldedWeightBindingTest, FoldedWeightComputesTheSameBytesAsAConstWeight) {
  const DType type = GetParam();
  const ConvGraph folded = Conv(type, {.folded_weight = true});
  const ConvGraph constant = Conv(type);
  auto executor = GraphExecutor::Create(folded.graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  EXPECT_EQ((*executor)->folded_operator_count(), 1u);
  const std::vector<uint8_t> a = RunExecutor(folded, type);
  const std::vector<uint8_t> b = RunExecutor(constant, type);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

INSTANTIATE_TEST_SUITE_P(Types, FoldedWeightBindingTest,
                         ::testing::Values(DType::kInt8, DType::kFp32),
                         [](const ::testing::TestParamInfo<DType>& info) {
                           return info.param == DType::kInt8 ? "Int8" : "Fp32";
                         });

}  // namespace
}  // namespace inferd::cpu
