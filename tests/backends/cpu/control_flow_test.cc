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
#include "tests/backends/cpu/control_flow_graphs.h"
#include "tests/backends/cpu/graph_builder.h"
#include "tests/backends/cpu/validated_executor.h"

namespace inferd::cpu {
namespace {

using graph::BlockId;
using graph::DType;
using graph::Graph;
using graph::Op;
using graph::TensorId;
using test_graphs::AddOperator;
using test_graphs::AddTensor;
using test_graphs::Blocks;
using test_graphs::Const;
using test_graphs::CountingLoop;
using test_graphs::DoubleIf;
using test_graphs::EndlessLoop;

std::span<const uint8_t> Bytes(const int32_t& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof(v)};
}
std::span<uint8_t> Bytes(int32_t& v) { return {reinterpret_cast<uint8_t*>(&v), sizeof(v)}; }

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
  std::unique_ptr<GraphExecutor> executor = test_graphs::ValidatedExecutor(CountingLoop());
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
  std::unique_ptr<GraphExecutor> executor = test_graphs::ValidatedExecutor(CountingLoop());
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
  std::unique_ptr<GraphExecutor> executor = test_graphs::ValidatedExecutor(CountingLoop());
  ASSERT_NE(executor, nullptr);
  const LoopResult r = RunCountingLoop(*executor, 9, 1, 5);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.i, 9);
  EXPECT_EQ(r.a, 10);
  EXPECT_EQ(r.b, 20);
}

TEST(ControlFlowTest, CancellationStopsARunawayLoop) {
  std::unique_ptr<GraphExecutor> executor = test_graphs::ValidatedExecutor(EndlessLoop());
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
  std::unique_ptr<GraphExecutor> executor = test_graphs::ValidatedExecutor(EndlessLoop());
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
  std::unique_ptr<GraphExecutor> executor = test_graphs::ValidatedExecutor(DoubleIf());
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
