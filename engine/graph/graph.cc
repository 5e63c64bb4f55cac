#include "engine/graph/graph.h"

namespace inferd::graph {

std::optional<BlockId> Graph::FindBlock(std::string_view name) const {
  for (BlockId id = 0; id < blocks.size(); ++id) {
    if (blocks[id].name == name) return id;
  }
  return std::nullopt;
}

std::optional<TensorId> Graph::FindTensor(BlockId block, std::string_view name) const {
  // Bounded walk up the parent chain: a malformed graph with a parent cycle must not hang.
  std::optional<BlockId> current = block;
  for (size_t depth = 0; current.has_value() && depth <= blocks.size(); ++depth) {
    if (*current >= blocks.size()) return std::nullopt;
    const Block& b = blocks[*current];
    for (TensorId id : b.tensors) {
      if (id < tensors.size() && tensors[id].name == name) return id;
    }
    current = b.parent;
  }
  return std::nullopt;
}

std::optional<int64_t> ElementCount(const Tensor& tensor) {
  if (tensor.unranked) return std::nullopt;
  return inferd::ElementCount(tensor.shape);
}

}  // namespace inferd::graph
