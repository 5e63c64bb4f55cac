// GraphExecutor on hand-built graphs with WHILE_LOOP and COND_IF: loop-carried values, bodies that
// read the caller's tensors, and loops stopped by cancellation or the deadline.
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backends/cpu/graph_executor.h"
#include "engine/cancellation.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu {
namespace {

using graph::BlockId;
using graph::DType;
using graph::Graph;
using graph::Op;
using graph::TensorId;
using test_graphs::AddOperator;
using test_graphs::AddTensor;

// A graph with a main block and `extra` blocks called from it.
Graph Blocks(const std::vector<std::string>& extra) {
  Graph g;
  g.blocks.resize(1 + extra.size());
  g.blocks[0].name = "main";
  g.regions.push_back({"main", {0}});
  for (size_t i = 0; i < extra.size(); ++i) {
    g.blocks[i + 1].name = extra[i];
    g.blocks[i + 1].parent = 0;
    g.regions[0].blocks.push_back(static_cast<BlockId>(i + 1));
  }
  return g;
}

TensorId Const(Graph& g, BlockId block, std::string name, DType t, std::vector<uint8_t> bytes) {
  const TensorId id = AddTensor(g, block, std::move(name), t);
  g.tensors[id].data = std::move(bytes);
  AddOperator(g, block, Op::kConst, {}, {id});
  return id;
}

std::unique_ptr<GraphExecutor> Executor(const Graph& g) {
  EXPECT_TRUE(graph::ValidateGraph(g).ok()) << graph::ValidateGraph(g);
  auto executor = GraphExecutor::Create(std::make_shared<const Graph>(g));
  EXPECT_TRUE(executor.ok()) << executor.status();
  return executor.ok() ? *std::move(executor) : nullptr;
}

std::span<const uint8_t> Bytes(const int32_t& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof(v)};
}
std::span<uint8_t> Bytes(int32_t& v) { return {reinterpret_cast<uint8_t*>(&v), sizeof(v)}; }

// while (i < limit) { i = i + step; swap(a, b); } with limit and step read from the main block.
Graph CountingLoop() {
  Graph g = Blocks({"cond", "body"});
  const TensorId i0 = AddTensor(g, 0, "i0", DType::kInt32);
  const TensorId step = AddTensor(g, 0, "step", DType::kInt32);
  const TensorId limit = AddTensor(g, 0, "limit", DType::kInt32);
  const TensorId a0 = AddTensor(g, 0, "a0", DType::kInt32);
  const TensorId b0 = AddTensor(g, 0, "b0", DType::kInt32);
  const TensorId i = AddTensor(g, 0, "i", DType::kInt32);
  const TensorId a = AddTensor(g, 0, "a", DType::kInt32);
  const TensorId b = AddTensor(g, 0, "b", DType::kInt32);
  g.blocks[0].inputs = {i0, step, limit, a0, b0};
  g.blocks[0].outputs = {i, a, b};
  AddOperator(g, 0, Op::kWhileLoop, {i0, a0, b0}, {i, a, b},
              graph::WhileLoopAttr{"cond", "body", 1, 2});

  const TensorId ci = AddTensor(g, 1, "ci", DType::kInt32);
  const TensorId ca = AddTensor(g, 1, "ca", DType::kInt32);
  const TensorId cb = AddTensor(g, 1, "cb", DType::kInt32);
  const TensorId more = AddTensor(g, 1, "more", DType::kBool);
  g.blocks[1].inputs = {ci, ca, cb};
  g.blocks[1].outputs = {more};
  AddOperator(g, 1, Op::kGreater, {limit, ci}, {more});

  const TensorId bi = AddTensor(g, 2, "bi", DType::kInt32);
  const TensorId ba = AddTensor(g, 2, "ba", DType::kInt32);
  const TensorId bb = AddTensor(g, 2, "bb", DType::kInt32);
  const TensorId next = AddTensor(g, 2, "next", DType::kInt32);
  g.blocks[2].inputs = {bi, ba, bb};
  g.blocks[2].outputs = {next, bb, ba};
  AddOperator(g, 2, Op::kAdd, {bi, step}, {next});
  return g;
}

struct LoopResult {
  absl::Status status;
  int32_t i = -1, a = -1, b = -1;
};

LoopResult RunCountingLoop(GraphExecutor& executor, int32_t start, int32_t step, int32_t limit) {
  const int32_t a0 = 10, b0 = 20;
  LoopResult r;
  const std::span<const uint8_t> inputs[] = {Bytes(start), Bytes(step), Bytes(limit), Bytes(a0),
                                             Bytes(b0)};
  const std::span<uint8_t> outputs[] = {Bytes(r.i), Bytes(r.a), Bytes(r.b)};
  r.status = executor.Run(inputs, outputs);
  return r;
}

TEST(ControlFlowTest, WhileLoopCountsToTheLimit) {
  std::unique_ptr<GraphExecutor> executor = Executor(CountingLoop());
  ASSERT_NE(executor, nullptr);
  LoopResult r = RunCountingLoop(*executor, 0, 1, 7);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.i, 7);
  // Seven swaps.
  EXPECT_EQ(r.a, 20);
  EXPECT_EQ(r.b, 10);

  // The executor runs again with other values; an even number of iterations keeps the order.
  r = RunCountingLoop(*executor, 0, 3, 12);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.i, 12);
  EXPECT_EQ(r.a, 10);
  EXPECT_EQ(r.b, 20);
}

// The per-operator profile counts every run of every operator, loop bodies once per iteration.
TEST(ControlFlowTest, OperatorProfileCountsEveryRunOfEveryOperator) {
  std::unique_ptr<GraphExecutor> executor = Executor(CountingLoop());
  ASSERT_NE(executor, nullptr);
  auto calls = [&](const std::string& block, const std::string& op) -> int64_t {
    for (const OperatorTiming& timing : executor->OperatorProfile()) {
      if (timing.block == block && timing.op == op) return static_cast<int64_t>(timing.calls);
    }
    return -1;
  };
  EXPECT_EQ(calls("main", "WHILE_LOOP"), 0);
  EXPECT_EQ(calls("cond", "GREATER"), 0);
  EXPECT_EQ(calls("body", "ADD"), 0);

  ASSERT_TRUE(RunCountingLoop(*executor, 0, 1, 7).status.ok());   // 7 iterations
  ASSERT_TRUE(RunCountingLoop(*executor, 0, 3, 12).status.ok());  // 4 iterations
  EXPECT_EQ(calls("main", "WHILE_LOOP"), 2);
  EXPECT_EQ(calls("body", "ADD"), 11);
  EXPECT_EQ(calls("cond", "GREATER"), 13);  // once more than the body, per run

  const std::vector<OperatorTiming> profile = executor->OperatorProfile();
  ASSERT_EQ(profile.size(), 3u);
  EXPECT_EQ(profile[0].block, "main");
  EXPECT_EQ(profile[0].index, 0);
  EXPECT_EQ(profile[0].output, "i");
  EXPECT_EQ(profile[0].shape, "1");
  // The loop's time holds its blocks' operators, all measured inside it on one monotonic clock.
  EXPECT_GE(profile[0].total_ns, profile[1].total_ns + profile[2].total_ns);
}

TEST(ControlFlowTest, WhileLoopWhoseConditionStartsFalseReturnsItsInputs) {
  std::unique_ptr<GraphExecutor> executor = Executor(CountingLoop());
  ASSERT_NE(executor, nullptr);
  const LoopResult r = RunCountingLoop(*executor, 9, 1, 5);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.i, 9);
  EXPECT_EQ(r.a, 10);
  EXPECT_EQ(r.b, 20);
}

// while (true) { x = x; }: only cancellation or the deadline ends it.
Graph EndlessLoop() {
  Graph g = Blocks({"cond", "body"});
  const TensorId x0 = AddTensor(g, 0, "x0", DType::kInt32);
  const TensorId x = AddTensor(g, 0, "x", DType::kInt32);
  g.blocks[0].inputs = {x0};
  g.blocks[0].outputs = {x};
  AddOperator(g, 0, Op::kWhileLoop, {x0}, {x}, graph::WhileLoopAttr{"cond", "body", 1, 2});
  const TensorId cx = AddTensor(g, 1, "cx", DType::kInt32);
  g.blocks[1].inputs = {cx};
  g.blocks[1].outputs = {Const(g, 1, "always", DType::kBool, {1})};
  const TensorId bx = AddTensor(g, 2, "bx", DType::kInt32);
  g.blocks[2].inputs = {bx};
  g.blocks[2].outputs = {bx};
  return g;
}

TEST(ControlFlowTest, CancellationStopsARunawayLoop) {
  std::unique_ptr<GraphExecutor> executor = Executor(EndlessLoop());
  ASSERT_NE(executor, nullptr);
  CancellationToken token;
  absl::Status status;
  std::thread runner([&] {
    const int32_t x0 = 1;
    int32_t x = 0;
    const std::span<const uint8_t> inputs[] = {Bytes(x0)};
    const std::span<uint8_t> outputs[] = {Bytes(x)};
    status = executor->Run(inputs, outputs, &token);
  });
  // Whether this lands before the run starts or during the loop, the run must end cancelled.
  token.Cancel();
  runner.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
}

TEST(ControlFlowTest, DeadlineStopsARunawayLoop) {
  std::unique_ptr<GraphExecutor> executor = Executor(EndlessLoop());
  ASSERT_NE(executor, nullptr);
  const int32_t x0 = 1;
  int32_t x = 0;
  const std::span<const uint8_t> inputs[] = {Bytes(x0)};
  const std::span<uint8_t> outputs[] = {Bytes(x)};
  const absl::Status status =
      executor->Run(inputs, outputs, nullptr, absl::Now() + absl::Milliseconds(20));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
}

TEST(ControlFlowTest, CondIfRunsTheChosenBlock) {
  Graph g = Blocks({"then", "else"});
  const TensorId cond = AddTensor(g, 0, "cond", DType::kBool);
  const TensorId x = AddTensor(g, 0, "x", DType::kInt32);
  const TensorId y = AddTensor(g, 0, "y", DType::kInt32);
  g.blocks[0].inputs = {cond, x};
  g.blocks[0].outputs = {y};
  AddOperator(g, 0, Op::kCondIf, {cond, x}, {y}, graph::CondIfAttr{"then", "else", 1, 2});
  // then: x + x; else: x unchanged.
  const TensorId tx = AddTensor(g, 1, "tx", DType::kInt32);
  const TensorId doubled = AddTensor(g, 1, "doubled", DType::kInt32);
  g.blocks[1].inputs = {tx};
  g.blocks[1].outputs = {doubled};
  AddOperator(g, 1, Op::kAdd, {tx, tx}, {doubled});
  const TensorId ex = AddTensor(g, 2, "ex", DType::kInt32);
  g.blocks[2].inputs = {ex};
  g.blocks[2].outputs = {ex};
  std::unique_ptr<GraphExecutor> executor = Executor(g);
  ASSERT_NE(executor, nullptr);
  for (const bool take_then : {true, false}) {
    const uint8_t c = take_then ? 1 : 0;
    const int32_t in = 21;
    int32_t out = 0;
    const std::span<const uint8_t> inputs[] = {{&c, 1}, Bytes(in)};
    const std::span<uint8_t> outputs[] = {Bytes(out)};
    ASSERT_TRUE(executor->Run(inputs, outputs).ok());
    EXPECT_EQ(out, take_then ? 42 : 21);
  }
}

}  // namespace
}  // namespace inferd::cpu
