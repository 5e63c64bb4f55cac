#include "engine/graph/graph_signature.h"

namespace inferd::graph {
namespace {

TensorSignature Describe(const Tensor& tensor) {
  return TensorSignature{tensor.name, tensor.dtype, tensor.shape};
}

}  // namespace

GraphSignature MainBlockSignature(const Graph& graph) {
  GraphSignature signature;
  if (graph.blocks.empty()) return signature;
  const Block& main = graph.main_block();
  for (TensorId id : main.inputs) signature.inputs.push_back(Describe(graph.tensor(id)));
  for (TensorId id : main.outputs) signature.outputs.push_back(Describe(graph.tensor(id)));
  return signature;
}

}  // namespace inferd::graph
