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
#include "tests/backends/cpu/validated_executor.h"
#include "tests/backends/cpu/variable_graphs.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Graph;
using graph::Op;
using graph::TensorId;
using test_graphs::Accumulator;
using test_graphs::AddOperator;
using test_graphs::AddTensor;
using test_graphs::BranchReadsTheVariable;
using test_graphs::BytesOf;

absl::StatusOr<std::vector<int32_t>> RunOnce(GraphExecutor& executor, std::vector<int32_t> x) {
  std::vector<int32_t> out(2, -1);
  const std::span<const uint8_t> in(reinterpret_cast<const uint8_t*>(x.data()), 8);
  const std::span<uint8_t> out_bytes(reinterpret_cast<uint8_t*>(out.data()), 8);
  const absl::Status status = executor.Run({&in, 1}, {&out_bytes, 1});
  if (!status.ok()) return status;
  return out;
}

TEST(VariableTest, AccumulatesAcrossRunsFromTheInitialValue) {
  auto executor = test_graphs::ValidatedExecutor(Accumulator(std::vector<int32_t>{10, 20}));
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(*RunOnce(*executor, {1, 2}), (std::vector<int32_t>{11, 22}));
  EXPECT_EQ(*RunOnce(*executor, {1, 2}), (std::vector<int32_t>{12, 24}));
  EXPECT_EQ(*RunOnce(*executor, {-12, 0}), (std::vector<int32_t>{0, 24}));
}

TEST(VariableTest, IdentityOnAVariableTensorReadsAndWritesIt) {
  auto executor = test_graphs::ValidatedExecutor(
      Accumulator(std::vector<int32_t>{5, 5}, /*reference_form=*/true));
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(*RunOnce(*executor, {1, 2}), (std::vector<int32_t>{6, 7}));
  EXPECT_EQ(*RunOnce(*executor, {1, 2}), (std::vector<int32_t>{7, 9}));
}

TEST(VariableTest, EachExecutorHasStateOfItsOwn) {
  const Graph g = Accumulator(std::vector<int32_t>{0, 0});
  auto first = test_graphs::ValidatedExecutor(g);
  auto second = test_graphs::ValidatedExecutor(g);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(*RunOnce(*first, {3, 4}), (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(*RunOnce(*first, {3, 4}), (std::vector<int32_t>{6, 8}));
  EXPECT_EQ(*RunOnce(*second, {3, 4}), (std::vector<int32_t>{3, 4}));
}

TEST(VariableTest, ReadingAVariableWithoutAValueFails) {
  auto executor = test_graphs::ValidatedExecutor(Accumulator(std::nullopt));
  ASSERT_NE(executor, nullptr);
  const auto result = RunOnce(*executor, {1, 2});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("variable 'acc'"), std::string::npos) << result.status();
}

// main writes x into the variable, then a COND_IF branch that declares its own tensor of the same
// uid reads it back: tensors of one uid in different blocks are one variable.
TEST(VariableTest, ABranchReachesTheVariableThroughItsOwnTensorOfTheSameUid) {
  const Graph g = BranchReadsTheVariable();
  auto executor = test_graphs::ValidatedExecutor(g);
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
