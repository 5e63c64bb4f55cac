// GraphProgram's arena: tensors whose lifetimes (first to last step touching them) do not overlap
// share bytes, as the CPU executor's do (engine/graph/memory_plan.h), and every output is still
// what the CPU backend computes.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "backends/vulkan/graph_program.h"
#include "engine/graph/batched_graph.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;

constexpr int64_t kElements = 64 * 64 * 4;
constexpr uint64_t kBytes = kElements * 4;  // each FP32 tensor of the chain: 64 KiB

// x -> t1 -> ... -> t8, each an ADD of a small constant; the output adds t2 back to t8, so t2
// lives from step 1 to the last step while the chain's other links each live for two steps.
GraphBuilder ChainWithASkip() {
  GraphBuilder b;
  const Shape shape = {1, 64, 64, 4};
  auto previous = b.Input("x", DType::kFp32, shape);
  graph::TensorId skip = previous;
  for (int i = 1; i <= 8; ++i) {
    const auto next = b.Tensor("t" + std::to_string(i), DType::kFp32, shape);
    const auto bias = b.Const("c" + std::to_string(i), DType::kFp32, {1, 1, 1, 4},
                              std::vector<float>{0.5f * i, -1.0f, 2.0f, 0.25f});
    b.Add(Op::kAdd, {}, {previous, bias}, {next});
    if (i == 2) skip = next;
    previous = next;
  }
  const auto out = b.Tensor("out", DType::kFp32, shape);
  b.Add(Op::kAdd, {}, {previous, skip}, {out});
  b.Output(out);
  return b;
}

TEST(VulkanArenaPlanTest, TensorsWhoseLifetimesDoNotOverlapShareBytes) {
  ASSERT_NE(testing::DefaultDevice(), nullptr);
  GraphBuilder b = ChainWithASkip();
  auto program = GraphProgram::Create(testing::DefaultDevice(), b.Build(), 1);
  ASSERT_TRUE(program.ok()) << program.status();
  // Ten tensors of 64 KiB each, the input and output's staging two more: 768 KiB if nothing
  // shared. Alive at once are at most the skip, two links of the chain and the input or output,
  // so the arena needs about four, and with the staging the program about six.
  EXPECT_LT((*program)->allocated_bytes(), 13 * kBytes / 2) << (*program)->allocated_bytes();
  EXPECT_GE((*program)->allocated_bytes(), 5 * kBytes) << (*program)->allocated_bytes();

  std::mt19937 rng(71);
  std::uniform_real_distribution<float> value(-100.0f, 100.0f);
  std::vector<float> x(kElements);
  for (float& v : x) v = value(rng);
  testing::ExpectSameOnBothBackends(b, {BytesOf(x)}, "chain with a skip");
  // Batch slots replay the program on the same arena: items must not see each other's bytes.
  std::vector<float> xs(3 * kElements);
  for (float& v : xs) v = value(rng);
  auto batch = GraphProgram::Create(testing::DefaultDevice(), b.Build(), 3);
  ASSERT_TRUE(batch.ok()) << batch.status();
  std::vector<uint8_t> outputs(3 * kBytes);
  const std::vector<uint8_t> inputs = BytesOf(xs);
  const std::vector<std::span<const uint8_t>> in = {inputs};
  const std::vector<std::span<uint8_t>> out = {outputs};
  ASSERT_TRUE((*batch)->RunAndWait(in, out, 3).ok());
  for (int item = 0; item < 3; ++item) {
    const std::vector<uint8_t> alone_input(inputs.begin() + item * kBytes,
                                           inputs.begin() + (item + 1) * kBytes);
    auto alone = testing::RunOnCpu(b.Build(), {alone_input});
    ASSERT_TRUE(alone.ok()) << alone.status();
    EXPECT_EQ(std::vector<uint8_t>(outputs.begin() + item * kBytes,
                                   outputs.begin() + (item + 1) * kBytes),
              (*alone)[0])
        << "item " << item;
  }
}

// GraphProgramOptions::arena: a program given a larger program's arena keeps its tensors there
// instead of allocating its own (as a model instance's smaller batch passes use the largest's), and
// the two, run one after the other in any order, both still compute what the CPU does. An arena too
// small is not used.
TEST(VulkanArenaPlanTest, AProgramUsesAnotherProgramsArenaWhereItFits) {
  std::shared_ptr<VulkanDevice> device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  GraphBuilder b = ChainWithASkip();
  const auto graph = b.Build();
  constexpr int kItems = 4;
  auto widened = graph::BatchedGraph(*graph, kItems);
  ASSERT_TRUE(widened.ok()) << widened.status();
  auto large = GraphProgram::Create(device, *widened, 1);
  ASSERT_TRUE(large.ok()) << large.status();
  const uint64_t allocated = device->allocated_bytes();
  auto small = GraphProgram::Create(device, graph, 1, {.arena = (*large)->arena()});
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ((*small)->arena(), (*large)->arena());
  // Only its staging (one input and one output) is its own.
  EXPECT_EQ((*small)->allocated_bytes(), device->allocated_bytes() - allocated);
  EXPECT_LT((*small)->allocated_bytes(), 2 * kBytes + 4096);
  auto own = GraphProgram::Create(device, graph, 1);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_NE((*own)->arena(), (*large)->arena());
  auto too_small = GraphProgram::Create(device, *widened, 1, {.arena = (*own)->arena()});
  ASSERT_TRUE(too_small.ok()) << too_small.status();
  EXPECT_NE((*too_small)->arena(), (*own)->arena());

  std::mt19937 rng(73);
  std::uniform_real_distribution<float> value(-100.0f, 100.0f);
  std::vector<float> xs(kItems * kElements);
  for (float& v : xs) v = value(rng);
  const std::vector<uint8_t> items = BytesOf(xs);
  const std::vector<uint8_t> first(items.begin(), items.begin() + kBytes);
  auto expected_items = testing::RunOnCpu(*widened, {items});
  ASSERT_TRUE(expected_items.ok()) << expected_items.status();
  auto expected_first = testing::RunOnCpu(graph, {first});
  ASSERT_TRUE(expected_first.ok()) << expected_first.status();
  for (int round = 0; round < 2; ++round) {
    std::vector<uint8_t> all(kItems * kBytes), one(kBytes);
    const std::vector<std::span<const uint8_t>> all_in = {items}, one_in = {first};
    const std::vector<std::span<uint8_t>> all_out = {all}, one_out = {one};
    ASSERT_TRUE((*small)->RunAndWait(one_in, one_out).ok());
    ASSERT_TRUE((*large)->RunAndWait(all_in, all_out).ok());
    EXPECT_EQ(one, (*expected_first)[0]) << "round " << round;
    EXPECT_EQ(all, (*expected_items)[0]) << "round " << round;
  }
}

}  // namespace
}  // namespace inferd::vulkan
