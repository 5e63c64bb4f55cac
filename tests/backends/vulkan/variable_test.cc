// TOSA variables on the GPU: state in the program's arena, one region per uid, kept across batches
// and per program (model instance); equal to the CPU executor run for run.
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/variable_graphs.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::Accumulator;
using cpu::test_graphs::BytesOf;
using graph::Graph;
using testing::Buffers;
using testing::ConstSpans;
using testing::DefaultDevice;
using testing::Program;
using testing::Spans;
using testing::Validated;

absl::StatusOr<std::vector<uint8_t>> RunOnce(GraphProgram& program, const Buffers& inputs) {
  Buffers outputs(1, std::vector<uint8_t>(program.output_bytes(0)));
  if (auto status = program.RunAndWait(ConstSpans(inputs), Spans(outputs)); !status.ok()) {
    return status;
  }
  return outputs[0];
}

TEST(VulkanVariableTest, AccumulatesAcrossRunsLikeTheCpuInBothEncodings) {
  for (const bool reference_form : {false, true}) {
    auto graph = Validated(Accumulator(std::vector<int32_t>{100, -100}, reference_form));
    std::unique_ptr<GraphProgram> gpu = Program(graph);
    ASSERT_NE(gpu, nullptr);
    auto cpu = cpu::GraphExecutor::Create(graph);
    ASSERT_TRUE(cpu.ok()) << cpu.status();
    for (int run = 0; run < 3; ++run) {
      const Buffers inputs = {BytesOf(std::vector<int32_t>{1 + run, 2 * run})};
      absl::StatusOr<std::vector<uint8_t>> got = RunOnce(*gpu, inputs);
      ASSERT_TRUE(got.ok()) << got.status();
      std::vector<uint8_t> expected(8);
      const auto in = ConstSpans(inputs);
      std::span<uint8_t> out(expected);
      ASSERT_TRUE((*cpu)->Run(in, {&out, 1}).ok());
      EXPECT_EQ(*got, expected) << "run " << run << (reference_form ? " (IDENTITY form)" : "");
    }
  }
  // After 1 + 2 + 3 and 0 + 2 + 4: 106 and -94.
  auto graph = Validated(Accumulator(std::vector<int32_t>{100, -100}));
  std::unique_ptr<GraphProgram> gpu = Program(graph);
  ASSERT_NE(gpu, nullptr);
  std::vector<uint8_t> last;
  for (int run = 0; run < 3; ++run) {
    auto got = RunOnce(*gpu, {BytesOf(std::vector<int32_t>{1 + run, 2 * run})});
    ASSERT_TRUE(got.ok());
    last = *got;
  }
  EXPECT_EQ(last, BytesOf(std::vector<int32_t>{106, -94}));
}

TEST(VulkanVariableTest, EachProgramHasStateOfItsOwn) {
  auto graph = Validated(Accumulator(std::vector<int32_t>{0, 0}));
  std::unique_ptr<GraphProgram> first = Program(graph);
  std::unique_ptr<GraphProgram> second = Program(graph);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const Buffers five = {BytesOf(std::vector<int32_t>{5, 5})};
  ASSERT_TRUE(RunOnce(*first, five).ok());
  ASSERT_TRUE(RunOnce(*first, five).ok());
  auto got = RunOnce(*second, five);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, BytesOf(std::vector<int32_t>{5, 5}));
}

TEST(VulkanVariableTest, ReadingAVariableWithoutAValueFailsNamingIt) {
  std::unique_ptr<GraphProgram> gpu = Program(Validated(Accumulator(std::nullopt)));
  ASSERT_NE(gpu, nullptr);
  auto got = RunOnce(*gpu, {BytesOf(std::vector<int32_t>{1, 2})});
  EXPECT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(got.status().message().find("variable 'acc'"), std::string::npos) << got.status();
}

TEST(VulkanVariableTest, ABranchReachesTheVariableThroughItsOwnTensorOfTheSameUid) {
  std::unique_ptr<GraphProgram> gpu =
      Program(Validated(cpu::test_graphs::BranchReadsTheVariable()));
  ASSERT_NE(gpu, nullptr);
  auto got = RunOnce(*gpu, {{1}, BytesOf(std::vector<int32_t>{7, 8})});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, BytesOf(std::vector<int32_t>{7, 8}));
}

}  // namespace
}  // namespace inferd::vulkan
