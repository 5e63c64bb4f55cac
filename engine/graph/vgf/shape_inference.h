// Output shapes of a TOSA operator from its input shapes and attributes (the specification's shape
// rules). VGF graphs may declare activations with a rank but no shape (the NSS model does): the
// decoder fills them in from the input shapes the caller gives. ValidateGraph checks the result.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::graph::vgf {

// `op` has its inputs and attribute set; shape operands (CONST_SHAPE outputs) must carry data.
// Returns one shape per output; InvalidArgument naming the operator when they cannot be derived.
absl::StatusOr<std::vector<Shape>> InferOutputShapes(const Graph& graph, const Operator& op);

}  // namespace inferd::graph::vgf
