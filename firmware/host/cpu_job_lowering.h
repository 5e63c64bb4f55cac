// Host side of the target's 'cpu' executor: lowers a validated TOSA INT8 graph into a cpu job
// (firmware/executors/cpu_job/cpu_job_format.h), the bytes sent in NETWORK_LOAD with format
// INFERD_TP_NETWORK_FORMAT_CPU_JOB.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::firmware {

// Lowers the main block of `graph`, which must have passed graph::ValidateGraph. Every operator
// becomes one kernel call with its parameters resolved; zero points must be constants.
// Activations share scratch bytes when their lifetimes do not overlap. UnimplementedError names the
// first operator the target cannot run (the target covers the INT8 profile subset: CONV2D,
// DEPTHWISE_CONV2D, MATMUL, RESCALE, CLAMP, MAX_POOL2D, AVG_POOL2D, ADD/SUB (INT32), RESHAPE,
// IDENTITY, TRANSPOSE).
absl::StatusOr<std::vector<uint8_t>> LowerToCpuJob(const graph::Graph& graph);

}  // namespace inferd::firmware
