// Per-operator timing of a TOSA graph on the CPU backend's kernels: every operator of the main
// block is bound with the backend's own BindOperator and requantisation fusion (so the same kernels
// the executor would pick) and run one by one against plain per-tensor buffers, timing each in
// thread CPU time.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::bench {

struct OperatorTime {
  size_t op_index = 0;
  std::string op_name;   // TOSA operator name, "+RESCALE(+CLAMP)" when those were fused into it
  std::string output;    // name of the operator's first output tensor
  double median_us = 0;  // thread CPU time
};

// Runs the graph `runs` times with `input` as its first input; the median time per operator.
absl::StatusOr<std::vector<OperatorTime>> ProfileOperators(const graph::Graph& graph,
                                                           std::span<const uint8_t> input,
                                                           int runs);

// Runs the graph once with the same bindings and returns every tensor's bytes afterwards (indexed
// by TensorId), for checking other implementations' intermediate results.
absl::StatusOr<std::vector<std::vector<uint8_t>>> CaptureTensors(const graph::Graph& graph,
                                                                 std::span<const uint8_t> input);

// Totals per operator type, then the `top` slowest operators.
void PrintProfile(const std::vector<OperatorTime>& times, int top, std::ostream& out);

}  // namespace inferd::bench
