// Checks a whole TOSA graph once at load so that executors and kernels can trust it: ids, dtypes,
// shapes (with TOSA's output shape rules), attributes and control flow.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "engine/graph/graph.h"

namespace inferd::graph {

struct ValidationOptions {
  // Largest tensor (in bytes) a graph may declare; keeps a crafted file from asking the memory
  // planner for absurd buffers.
  int64_t max_tensor_bytes = int64_t{1} << 34;  // 16 GiB
};

// OK when the graph is safe to execute: every id resolves, every tensor has a known dtype, rank
// <= 6, non-negative dimensions and constant data of exactly dtype x shape bytes, every operator
// has the operands, dtypes, attributes and output shapes the TOSA 1.0 specification requires
// (broadcasting, convolution/pooling/resize arithmetic, shape operands from CONST_SHAPE), every
// tensor is produced before it is used, and COND_IF / WHILE_LOOP bodies match their call sites
// without recursion. Otherwise InvalidArgument naming the block, operator and tensor.
absl::Status ValidateGraph(const Graph& graph, const ValidationOptions& options = {});

}  // namespace inferd::graph
