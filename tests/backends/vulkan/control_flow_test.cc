// COND_IF and WHILE_LOOP on the GPU, driven from the host: results equal the CPU executor's for
// every item of a batch whose items take different branches and loop different numbers of times,
// blocks that read the caller's tensors, and runaway loops that the host stops. Their GPU time is
// measured too: the device's busy time grows with every batch, and the per-operator profile counts
// every run of a block's operators, each loop iteration included.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "backends/vulkan/vulkan_backend.h"
#include "engine/operator_profile.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/control_flow_graphs.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using graph::Graph;
using testing::Buffers;
using testing::ConstSpans;
using testing::DefaultDevice;
using testing::Program;
using testing::RunOnCpu;
using testing::Spans;
using testing::Validated;

// Input `i` of every item, concatenated: items[k][i] is item k's bytes.
Buffers Batch(const std::vector<Buffers>& items) {
  Buffers batch(items[0].size());
  for (const Buffers& item : items) {
    for (size_t i = 0; i < item.size(); ++i) {
      batch[i].insert(batch[i].end(), item[i].begin(), item[i].end());
    }
  }
  return batch;
}

// Runs every item as one batch of `program` (made for `graph`) on the GPU and one by one on the
// CPU; the outputs must be equal.
void ExpectBatchEqualsCpu(GraphProgram& program, std::shared_ptr<const Graph> graph,
                          const std::vector<Buffers>& items) {
  const Buffers inputs = Batch(items);
  Buffers outputs;
  for (size_t i = 0; i < graph->main_block().outputs.size(); ++i) {
    outputs.emplace_back(program.output_bytes(i) * items.size());
  }
  const auto in = ConstSpans(inputs);
  const auto out = Spans(outputs);
  ASSERT_TRUE(program.RunAndWait(in, out, static_cast<int>(items.size())).ok());
  for (size_t k = 0; k < items.size(); ++k) {
    absl::StatusOr<Buffers> cpu = RunOnCpu(graph, items[k]);
    ASSERT_TRUE(cpu.ok()) << cpu.status();
    for (size_t i = 0; i < cpu->size(); ++i) {
      const size_t bytes = (*cpu)[i].size();
      const std::vector<uint8_t> gpu(outputs[i].begin() + k * bytes,
                                     outputs[i].begin() + (k + 1) * bytes);
      EXPECT_EQ(gpu, (*cpu)[i]) << "item " << k << ", output " << i;
    }
  }
}

void ExpectBatchEqualsCpu(std::shared_ptr<const Graph> graph, const std::vector<Buffers>& items) {
  std::unique_ptr<GraphProgram> program = Program(graph, static_cast<int>(items.size()));
  ASSERT_NE(program, nullptr);
  ExpectBatchEqualsCpu(*program, graph, items);
}

// A program for `graph` on the default device that times every operator.
std::unique_ptr<GraphProgram> TimedProgram(std::shared_ptr<const Graph> graph, int max_items) {
  std::shared_ptr<VulkanDevice> device = DefaultDevice();
  if (device == nullptr) return nullptr;
  EXPECT_TRUE(device->has_timestamps()) << "lavapipe writes timestamps on its compute queue";
  auto program =
      GraphProgram::Create(device, std::move(graph), max_items, {.time_operators = true});
  EXPECT_TRUE(program.ok()) << program.status();
  return program.ok() ? *std::move(program) : nullptr;
}

// The profile's entry for `op` in `block`; calls -1 when there is none.
struct Entry {
  int64_t calls = -1;
  uint64_t total_ns = 0;
};
Entry Timing(const GraphProgram& program, const std::string& block, const std::string& op) {
  for (const OperatorTiming& timing : program.OperatorProfile()) {
    if (timing.block == block && timing.op == op) {
      return Entry{static_cast<int64_t>(timing.calls), timing.total_ns};
    }
  }
  return Entry{};
}

Buffers LoopItem(int32_t start, int32_t step, int32_t limit) {
  return {BytesOf(std::vector<int32_t>{start}), BytesOf(std::vector<int32_t>{step}),
          BytesOf(std::vector<int32_t>{limit}), BytesOf(std::vector<int32_t>{10}),
          BytesOf(std::vector<int32_t>{20})};
}

TEST(VulkanControlFlowTest, WhileLoopCountsLikeTheCpuForEveryItemOfABatch) {
  // 7 iterations, 0 (the condition starts false), 3 with a larger step, 1, and 12.
  ExpectBatchEqualsCpu(Validated(cpu::test_graphs::CountingLoop()),
                       {LoopItem(0, 1, 7), LoopItem(9, 1, 7), LoopItem(-5, 4, 7), LoopItem(6, 1, 7),
                        LoopItem(-100, 10, 20)});
}

TEST(VulkanControlFlowTest, WhileLoopGivesTheExpectedValues) {
  std::unique_ptr<GraphProgram> program = Program(Validated(cpu::test_graphs::CountingLoop()), 1);
  ASSERT_NE(program, nullptr);
  const Buffers inputs = LoopItem(0, 1, 7);
  Buffers outputs(3, std::vector<uint8_t>(4));
  ASSERT_TRUE(program->RunAndWait(ConstSpans(inputs), Spans(outputs)).ok());
  int32_t i = 0, a = 0, b = 0;
  std::memcpy(&i, outputs[0].data(), 4);
  std::memcpy(&a, outputs[1].data(), 4);
  std::memcpy(&b, outputs[2].data(), 4);
  EXPECT_EQ(i, 7);
  // Seven swaps of (10, 20).
  EXPECT_EQ(a, 20);
  EXPECT_EQ(b, 10);
}

TEST(VulkanControlFlowTest, OperatorProfileCountsEveryIterationOfEveryItem) {
  const std::shared_ptr<const Graph> graph = Validated(cpu::test_graphs::CountingLoop());
  std::unique_ptr<GraphProgram> program = TimedProgram(graph, 2);
  ASSERT_NE(program, nullptr);
  std::shared_ptr<VulkanDevice> device = DefaultDevice();
  // The operators with GPU work, in step order; WHILE_LOOP's own copies belong to no operator.
  const std::vector<OperatorTiming> before = program->OperatorProfile();
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0].block, "cond");
  EXPECT_EQ(before[0].op, "GREATER");
  EXPECT_EQ(before[0].output, "more");
  EXPECT_EQ(before[1].block, "body");
  EXPECT_EQ(before[1].op, "ADD");
  EXPECT_EQ(before[0].calls + before[1].calls, 0u) << "before any batch";

  // 7 and 4 iterations in one batch: the body runs 11 times, the condition once more per item.
  const uint64_t busy_before = device->busy_ns();
  ExpectBatchEqualsCpu(*program, graph, {LoopItem(0, 1, 7), LoopItem(0, 3, 12)});
  const uint64_t busy_after_first = device->busy_ns();
  EXPECT_GT(busy_after_first, busy_before);
  EXPECT_EQ(Timing(*program, "body", "ADD").calls, 11);
  EXPECT_EQ(Timing(*program, "cond", "GREATER").calls, 13);
  EXPECT_GT(Timing(*program, "body", "ADD").total_ns, 0u);
  EXPECT_GT(Timing(*program, "cond", "GREATER").total_ns, 0u);

  // A condition that starts false: the condition runs once, the body never.
  ExpectBatchEqualsCpu(*program, graph, {LoopItem(9, 1, 7)});
  EXPECT_GT(device->busy_ns(), busy_after_first);
  EXPECT_EQ(Timing(*program, "body", "ADD").calls, 11);
  EXPECT_EQ(Timing(*program, "cond", "GREATER").calls, 14);
}

TEST(VulkanControlFlowTest, OperatorProfileCountsTheBranchesEachItemTook) {
  const std::shared_ptr<const Graph> graph = Validated(cpu::test_graphs::DoubleIf());
  std::unique_ptr<GraphProgram> program = TimedProgram(graph, 4);
  ASSERT_NE(program, nullptr);
  std::shared_ptr<VulkanDevice> device = DefaultDevice();
  auto item = [](bool take_then, int32_t x) {
    return Buffers{{static_cast<uint8_t>(take_then ? 1 : 0)}, BytesOf(std::vector<int32_t>{x})};
  };
  // The else branch returns its input: only the then branch's ADD has GPU work.
  ASSERT_EQ(program->OperatorProfile().size(), 1u);
  uint64_t busy = device->busy_ns();
  for (int round = 1; round <= 2; ++round) {
    ExpectBatchEqualsCpu(*program, graph,
                         {item(true, 21), item(false, 5), item(true, -7), item(false, 0)});
    const Entry add = Timing(*program, "then", "ADD");
    EXPECT_EQ(add.calls, 2 * round);
    EXPECT_GT(add.total_ns, 0u);
    EXPECT_GT(device->busy_ns(), busy) << "round " << round;
    busy = device->busy_ns();
  }
}

TEST(VulkanControlFlowTest, BusyTimeGrowsWithoutOperatorTiming) {
  std::unique_ptr<GraphProgram> program = Program(Validated(cpu::test_graphs::CountingLoop()), 1);
  ASSERT_NE(program, nullptr);
  std::shared_ptr<VulkanDevice> device = DefaultDevice();
  const Buffers inputs = LoopItem(0, 1, 3);
  Buffers outputs(3, std::vector<uint8_t>(4));
  uint64_t busy = device->busy_ns();
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(program->RunAndWait(ConstSpans(inputs), Spans(outputs)).ok());
    EXPECT_GT(device->busy_ns(), busy) << "round " << round;
    busy = device->busy_ns();
  }
  EXPECT_TRUE(program->OperatorProfile().empty());
}

TEST(VulkanControlFlowTest, CondIfTakesEachItemsOwnBranch) {
  auto item = [](bool take_then, int32_t x) {
    return Buffers{{static_cast<uint8_t>(take_then ? 1 : 0)}, BytesOf(std::vector<int32_t>{x})};
  };
  ExpectBatchEqualsCpu(
      Validated(cpu::test_graphs::DoubleIf()),
      {item(true, 21), item(false, 21), item(true, -(1 << 29)), item(false, INT32_MIN)});
}

TEST(VulkanControlFlowTest, TheHostStopsARunawayLoopAndTheProgramRunsAgain) {
  std::unique_ptr<GraphProgram> program = Program(Validated(cpu::test_graphs::EndlessLoop()), 1);
  ASSERT_NE(program, nullptr);
  const Buffers inputs = {BytesOf(std::vector<int32_t>{5})};
  std::atomic<int> iterations = 0;
  absl::Notification finished;
  absl::Status result;
  const absl::Status started = program->Start(
      ConstSpans(inputs), 1,
      [&](absl::Status status) {
        result = std::move(status);
        finished.Notify();
      },
      [&]() -> absl::Status {
        return ++iterations > 3 ? absl::CancelledError("stopped by the test") : absl::OkStatus();
      });
  ASSERT_TRUE(started.ok()) << started;
  finished.WaitForNotification();
  EXPECT_EQ(result.code(), absl::StatusCode::kCancelled) << result;
  EXPECT_EQ(iterations.load(), 4);

  // The next batch starts afresh: stopped before its first iteration, nothing was submitted, so
  // Start itself answers and `done` never runs.
  const absl::Status stopped = program->Start(
      ConstSpans(inputs), 1, [](absl::Status) { ADD_FAILURE() << "done ran"; },
      []() -> absl::Status { return absl::CancelledError("again"); });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(stopped.message(), "again");
}

TEST(VulkanControlFlowTest, TheBackendStopsALoopPastTheRequestsDeadlineNamingTheModel) {
  BackendLoadRequest request;
  request.model_name = "endless";
  request.version = 1;
  request.graph = Validated(cpu::test_graphs::EndlessLoop());
  request.inputs = {TensorSpec{"x0", DataType::kInt32, {1}}};
  request.outputs = {TensorSpec{"x", DataType::kInt32, {1}}};
  VulkanBackend backend;
  auto executable = backend.Load(request);
  ASSERT_TRUE(executable.ok()) << executable.status();
  inferd::Batch batch;
  batch.inputs.push_back(Tensor::Allocate(DataType::kInt32, {1}));
  batch.cancellation = std::make_shared<CancellationToken>();
  batch.deadline = absl::InfinitePast();  // already late: the first iteration's check ends it
  std::promise<absl::StatusOr<BatchResult>> promise;
  auto future = promise.get_future();
  (*executable)->Execute(std::move(batch), [&promise](absl::StatusOr<BatchResult> result) {
    promise.set_value(std::move(result));
  });
  const absl::StatusOr<BatchResult> result = future.get();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  EXPECT_NE(result.status().message().find("model 'endless'"), std::string::npos)
      << result.status();
}

TEST(VulkanControlFlowTest, AProgramWithControlFlowHasNoSingleBufferToReplay) {
  std::unique_ptr<GraphProgram> program = Program(Validated(cpu::test_graphs::DoubleIf()), 1);
  ASSERT_NE(program, nullptr);
  EXPECT_EQ(program->ReplayAndWait(1).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace inferd::vulkan
