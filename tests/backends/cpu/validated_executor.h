// A CPU graph executor for a test graph that must be valid: a graph the validator refuses, or one
// the executor cannot take, fails the test and gives nullptr.
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "backends/cpu/graph_executor.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "gtest/gtest.h"

namespace inferd::cpu::test_graphs {

inline std::unique_ptr<GraphExecutor> ValidatedExecutor(const graph::Graph& g) {
  const absl::Status valid = graph::ValidateGraph(g);
  EXPECT_TRUE(valid.ok()) << valid;
  auto executor = GraphExecutor::Create(std::make_shared<const graph::Graph>(g));
  EXPECT_TRUE(executor.ok()) << executor.status();
  return executor.ok() ? *std::move(executor) : nullptr;
}

}  // namespace inferd::cpu::test_graphs
