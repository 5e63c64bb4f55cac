// Constant folding at load (backends/cpu/constant_folding.h): a folded graph computes the same
// bytes as the unfolded one while running fewer steps in a smaller arena, and operators with
// effects or state (CUSTOM, VARIABLE_WRITE, control flow) still run on every inference.
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "backends/cpu/custom_operators.h"
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

std::unique_ptr<GraphExecutor> Executor(std::shared_ptr<const graph::Graph> g, bool fold) {
  auto executor = GraphExecutor::Create(std::move(g), GraphExecutorOptions{fold});
  EXPECT_TRUE(executor.ok()) << executor.status();
  return executor.ok() ? *std::move(executor) : nullptr;
}

// y = x + exp(transpose(c)) * 0.5 on FP32 [2, 3]: TRANSPOSE, EXP and MUL read only constants.
std::shared_ptr<const graph::Graph> ConstantSubgraph() {
  GraphBuilder b;
  const TensorId x = b.Input("x", DType::kFp32, {2, 3});
  const TensorId c =
      b.Const<float>("c", DType::kFp32, {3, 2}, {0.1f, -1.5f, 2.25f, 0.0f, 3.5f, -0.75f});
  const TensorId half = b.Const<float>("half", DType::kFp32, {1, 1}, {0.5f});
  const TensorId shift = b.Const<int8_t>("shift", DType::kInt8, {1}, {0});
  const TensorId t = b.Tensor("t", DType::kFp32, {2, 3});
  const TensorId e = b.Tensor("e", DType::kFp32, {2, 3});
  const TensorId m = b.Tensor("m", DType::kFp32, {2, 3});
  const TensorId y = b.Tensor("y", DType::kFp32, {2, 3});
  b.Add(Op::kTranspose, graph::TransposeAttr{{1, 0}}, {c}, {t});
  b.Add(Op::kExp, {}, {t}, {e});
  b.Add(Op::kMul, {}, {e, half, shift}, {m});
  b.Add(Op::kAdd, {}, {x, m}, {y});
  b.Output(y);
  return b.Build();
}

std::vector<float> RunFp32(GraphExecutor& executor, std::vector<float> x) {
  std::vector<float> y(x.size(), -1.0f);
  const std::span<const uint8_t> in(reinterpret_cast<const uint8_t*>(x.data()), x.size() * 4);
  const std::span<uint8_t> out(reinterpret_cast<uint8_t*>(y.data()), y.size() * 4);
  EXPECT_TRUE(executor.Run({&in, 1}, {&out, 1}).ok());
  return y;
}

TEST(ConstantFoldingTest, FoldedGraphComputesTheSameBytesWithLessWork) {
  auto folded = Executor(ConstantSubgraph(), true);
  auto unfolded = Executor(ConstantSubgraph(), false);
  ASSERT_NE(folded, nullptr);
  ASSERT_NE(unfolded, nullptr);
  EXPECT_EQ(folded->folded_operator_count(), 3u);  // TRANSPOSE, EXP, MUL
  EXPECT_EQ(unfolded->folded_operator_count(), 0u);
  EXPECT_LT(folded->arena_bytes(), unfolded->arena_bytes());
  for (const std::vector<float>& x : {std::vector<float>{0, 0, 0, 0, 0, 0},
                                      std::vector<float>{1e-3f, -2, 3.5f, 1e20f, -0.0f, 7}}) {
    const std::vector<float> a = RunFp32(*folded, x);
    const std::vector<float> b = RunFp32(*unfolded, x);
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * 4), 0);
  }
}

// "test.inferd" / "count_calls": copies its INT32 input and counts the runs.
int custom_calls = 0;

absl::StatusOr<BoundStep> BindCountCalls(const graph::Graph& g, const graph::Operator& op) {
  const size_t bytes =
      static_cast<size_t>(graph::ElementCount(g.tensor(op.inputs[0])).value_or(0)) * 4;
  const TensorId in = op.inputs[0], out = op.outputs[0];
  return BoundStep([=](TensorData d) {
    ++custom_calls;
    std::memcpy(d[out], d[in], bytes);
    return absl::OkStatus();
  });
}

// With constant inputs only: CUSTOM(k) -> a; VARIABLE_READ(v) -> b, then VARIABLE_WRITE(k) -> v;
// COND_IF(true_const, k) -> c with pass-through branches. Outputs a, b, c.
std::shared_ptr<const graph::Graph> EffectsOnConstants() {
  GraphBuilder b;
  graph::Graph& g = b.graph();
  const TensorId k = b.Const<int32_t>("k", DType::kInt32, {2}, {5, 6});
  const TensorId yes = b.Const<uint8_t>("yes", DType::kBool, {1}, {1});
  const TensorId v = b.Tensor("v", DType::kInt32, {2}, test_graphs::BytesOf<int32_t>({0, 0}));
  g.tensors[v].variable = true;
  const TensorId a = b.Tensor("a", DType::kInt32, {2});
  const TensorId before = b.Tensor("before", DType::kInt32, {2});
  const TensorId c = b.Tensor("c", DType::kInt32, {2});
  b.Add(Op::kCustom, graph::CustomAttr{"count_calls", "test.inferd", {}}, {k}, {a});
  b.Add(Op::kVariable, {}, {}, {v});
  b.Add(Op::kVariableRead, {}, {v}, {before});
  b.Add(Op::kVariableWrite, {}, {k}, {v});
  g.blocks.resize(3);
  g.regions[0].blocks = {0, 1, 2};
  for (graph::BlockId block : {1u, 2u}) {
    g.blocks[block].name = block == 1 ? "then" : "else";
    g.blocks[block].parent = 0;
    const TensorId in = test_graphs::AddTensor(g, block, "in", DType::kInt32, {2});
    g.blocks[block].inputs = {in};
    g.blocks[block].outputs = {in};
  }
  b.Add(Op::kCondIf, graph::CondIfAttr{"then", "else", 1, 2}, {yes, k}, {c});
  b.Output(a);
  b.Output(before);
  b.Output(c);
  return b.Build();
}

TEST(ConstantFoldingTest, OperatorsWithEffectsRunOnEveryInference) {
  ASSERT_TRUE(
      CustomOperatorRegistry::Global().Register("test.inferd", "count_calls", BindCountCalls).ok());
  auto executor = Executor(EffectsOnConstants(), true);
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(executor->folded_operator_count(), 0u);
  custom_calls = 0;
  std::vector<int32_t> a(2), before(2), c(2);
  const std::span<uint8_t> outputs[] = {{reinterpret_cast<uint8_t*>(a.data()), 8},
                                        {reinterpret_cast<uint8_t*>(before.data()), 8},
                                        {reinterpret_cast<uint8_t*>(c.data()), 8}};
  ASSERT_TRUE(executor->Run({}, outputs).ok());
  EXPECT_EQ(custom_calls, 1);
  EXPECT_EQ(before, (std::vector<int32_t>{0, 0}));  // the write happens in the run, not at load
  EXPECT_EQ(c, (std::vector<int32_t>{5, 6}));
  ASSERT_TRUE(executor->Run({}, outputs).ok());
  EXPECT_EQ(custom_calls, 2);
  EXPECT_EQ(before, (std::vector<int32_t>{5, 6}));
  EXPECT_EQ(a, (std::vector<int32_t>{5, 6}));
  ASSERT_TRUE(CustomOperatorRegistry::Global().Unregister("test.inferd", "count_calls").ok());
}

}  // namespace
}  // namespace inferd::cpu
