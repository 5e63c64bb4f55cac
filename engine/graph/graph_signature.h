// The inputs and outputs a TOSA graph exposes: what a model's interface is derived from when it
// has no config.pbtxt.
#pragma once

#include <string>
#include <vector>

#include "engine/graph/dtype.h"
#include "engine/graph/graph.h"

namespace inferd::graph {

struct TensorSignature {
  std::string name;
  DType dtype = DType::kUnknown;
  Shape shape;
};

struct GraphSignature {
  std::vector<TensorSignature> inputs;   // the main block's inputs, in file order
  std::vector<TensorSignature> outputs;  // the main block's outputs, in file order
};

// Lists the main block's inputs and outputs. Expects a validated graph (ids in range).
GraphSignature MainBlockSignature(const Graph& graph);

}  // namespace inferd::graph
