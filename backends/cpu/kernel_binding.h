// Binds one operator of a validated TOSA graph to its reference kernel in
// backends/cpu/kernels: shapes and attributes are turned into kernel parameter blocks once, at
// load; the returned step only looks up buffers and operand values (zero points, shifts, ...) per
// run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/cpu/load_time_constants.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

// Where each tensor's bytes are during a run, indexed by graph::TensorId. Every element type is
// stored as in the .tosa file except INT48, which is widened to int64_t, and INT4, which is
// unpacked to one int8_t an element.
using TensorData = std::span<uint8_t* const>;

// One operator ready to run any number of times. Returns an error (without naming the operator;
// the executor adds that) when operand values break the specification at run time.
using BoundStep = std::function<absl::Status(TensorData data)>;

// Bytes one element of `dtype` occupies in the executor's buffers; 0 for types the CPU backend
// cannot hold (SHAPE, UNKNOWN).
size_t StorageElementBytes(graph::DType dtype);

// Binds `op` of a graph that ValidateGraph accepted. UnimplementedError naming the operator and
// its element types when the CPU backend has no kernel for it. An empty step (OK status, no
// target) for operators that need no work at run time: CONST and CONST_SHAPE.
absl::StatusOr<BoundStep> BindOperator(const graph::Graph& graph, const graph::Operator& op);
// The same, packing weights whose values `constants` knows at load (CONST payloads and folded
// constants) for the optimised CONV2D, DEPTHWISE_CONV2D and MATMUL kernels. `constants` must be of
// `graph`.
absl::StatusOr<BoundStep> BindOperator(const graph::Graph& graph, const graph::Operator& op,
                                       const LoadTimeConstants& constants);

}  // namespace inferd::cpu
