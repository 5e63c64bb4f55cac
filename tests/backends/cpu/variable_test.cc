// TOSA variables (EXT-VARIABLE) in the GraphExecutor, written from the specification's
// pseudo-code: a variable starts from its initial value, VARIABLE_WRITE stores a value that the
// next run's VARIABLE_READ sees, reading a variable that has no value fails, and every executor
// (model instance) has state of its own.
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "backends/cpu/graph_executor.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Graph;
using graph::Op;
using graph::TensorId;
using test_graphs::AddOperator;
using test_graphs::AddTensor;
using test_graphs::BytesOf;

// out = acc + x; acc = out. With `reference_form` the read and write are IDENTITY operators on
// the variable tensor, as the reference serializer writes them; else VARIABLE / VARIABLE_READ /
// VARIABLE_WRITE.
Graph Accumulator(std::optional<std::vector<int32_t>> initial, bool reference_form = false) {
  Graph g;
  g.blocks.resize(1);
  g.blocks[0].name = "main";
  g.regions.push_back({"main", {0}});
  const TensorId x = AddTensor(g, 0, "x", DType::kInt32, {2});
  const TensorId acc = AddTensor(g, 0, "acc_state", DType::kInt32, {2});
  g.tensors[acc].variable = true;
  g.tensors[acc].variable_name = "acc";
  if (initial.has_value()) g.tensors[acc].data = BytesOf<int32_t>(*initial);
  const TensorId old = AddTensor(g, 0, "old", DType::kInt32, {2});
  const TensorId out = AddTensor(g, 0, "out", DType::kInt32, {2});
  g.blocks[0].inputs = {x};
  g.blocks[0].outputs = {out};
  if (!reference_form) AddOperator(g, 0, Op::kVariable, {}, {acc});
  AddOperator(g, 0, reference_form ? Op::kIdentity : Op::kVariableRead, {acc}, {old});
  AddOperator(g, 0, Op::kAdd, {old, x}, {out});
  AddOperator(g, 0, reference_form ? Op::kIdentity : Op::kVariableWrite, {out}, {acc});
  return g;
}

std::unique_ptr<GraphExecutor> Executor(const Graph& g) {
  const absl::Status valid = graph::ValidateGraph(g);
  EXPECT_TRUE(valid.ok()) << valid;
  auto executor = GraphExecutor::Create(std::make_shared<const Graph>(g));
  EXPECT_TRUE(executor.ok()) << executor.status();
  return executor.ok() ? *std::move(executor) : nullptr;
}

absl::StatusOr<std::vector<int32_t>> RunOnce(GraphExecutor& executor, std::vector<int32_t> x) {
  std::vector<int32_t> out(2, -1);
  const std::span<const uint8_t> in(reinterpret_cast<const uint8_t*>(x.data()), 8);
  const std::span<uint8_t> out_bytes(reinterpret_cast<uint8_t*>(out.data()), 8);
  const absl::Status status = executor.Run({&in, 1}, {&out_bytes, 1});
  if (!status.ok()) return status;
  return out;
}

TEST(VariableTest, AccumulatesAcrossRunsFromTheInitialValue) {
  auto executor = Executor(Accumulator(std::vector<int32_t>{10, 20}));
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(*RunOnce(*executor, {1, 2}), (std::vector<int32_t>{11, 22}));
  EXPECT_EQ(*RunOnce(*executor, {1, 2}), (std::vector<int32_t>{12, 24}));
  EXPECT_EQ(*RunOnce(*executor, {-12, 0}), (std::vector<int32_t>{0, 24}));
}

TEST(VariableTest, IdentityOnAVariableTensorReadsAndWritesIt) {
  auto executor = Executor(Accumulator(std::vector<int32_t>{5, 5}, /*reference_form=*/true));
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(*RunOnce(*executor, {1, 2}), (std::vector<int32_t>{6, 7}));
  EXPECT_EQ(*RunOnce(*executor, {1, 2}), (std::vector<int32_t>{7, 9}));
}

TEST(VariableTest, EachExecutorHasStateOfItsOwn) {
  const Graph g = Accumulator(std::vector<int32_t>{0, 0});
  auto first = Executor(g);
  auto second = Executor(g);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(*RunOnce(*first, {3, 4}), (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(*RunOnce(*first, {3, 4}), (std::vector<int32_t>{6, 8}));
  EXPECT_EQ(*RunOnce(*second, {3, 4}), (std::vector<int32_t>{3, 4}));
}

TEST(VariableTest, ReadingAVariableWithoutAValueFails) {
  auto executor = Executor(Accumulator(std::nullopt));
  ASSERT_NE(executor, nullptr);
  const auto result = RunOnce(*executor, {1, 2});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("variable 'acc'"), std::string::npos) << result.status();
}

// main writes x into the variable, then a COND_IF branch that declares its own tensor of the same
// uid reads it back: tensors of one uid in different blocks are one variable.
TEST(VariableTest, ABranchReachesTheVariableThroughItsOwnTensorOfTheSameUid) {
  Graph g;
  g.blocks.resize(3);
  g.blocks[0].name = "main";
  g.blocks[1].name = "then";
  g.blocks[2].name = "else";
  g.blocks[1].parent = 0;
  g.blocks[2].parent = 0;
  g.regions.push_back({"main", {0, 1, 2}});
  const TensorId cond = AddTensor(g, 0, "cond", DType::kBool, {1});
  const TensorId x = AddTensor(g, 0, "x", DType::kInt32, {2});
  const TensorId state = AddTensor(g, 0, "state", DType::kInt32, {2});
  g.tensors[state].variable = true;
  const TensorId out = AddTensor(g, 0, "out", DType::kInt32, {2});
  g.blocks[0].inputs = {cond, x};
  g.blocks[0].outputs = {out};
  AddOperator(g, 0, Op::kVariableWrite, {x}, {state});
  AddOperator(g, 0, Op::kCondIf, {cond, x}, {out}, graph::CondIfAttr{"then", "else", 1, 2});
  for (graph::BlockId b : {1u, 2u}) {
    const TensorId in = AddTensor(g, b, "in", DType::kInt32, {2});
    const TensorId result = AddTensor(g, b, "result", DType::kInt32, {2});
    g.blocks[b].inputs = {in};
    g.blocks[b].outputs = {result};
    if (b == 1) {
      const TensorId mine = AddTensor(g, b, "state", DType::kInt32, {2});
      g.tensors[mine].variable = true;
      AddOperator(g, b, Op::kVariableRead, {mine}, {result});
    } else {
      AddOperator(g, b, Op::kIdentity, {in}, {result});
    }
  }
  auto executor = Executor(g);
  ASSERT_NE(executor, nullptr);
  std::vector<int32_t> value = {7, 8}, result(2, 0);
  const uint8_t yes = 1;
  const std::span<const uint8_t> inputs[] = {{&yes, 1},
                                             {reinterpret_cast<const uint8_t*>(value.data()), 8}};
  const std::span<uint8_t> outputs[] = {{reinterpret_cast<uint8_t*>(result.data()), 8}};
  ASSERT_TRUE(executor->Run(inputs, outputs).ok());
  EXPECT_EQ(result, value);
}

}  // namespace
}  // namespace inferd::cpu
