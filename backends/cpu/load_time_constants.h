// The tensor values binding may read at load, to pack weights for the optimised kernels once: the
// payloads of CONST operators and, when the executor has folded constants, the outputs of the
// folded operators. A weight computed by folding (a RESHAPE, TRANSPOSE or CAST of a CONST, say)
// thus binds the same optimised kernel as a CONST weight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/graph/graph.h"

namespace inferd::cpu {

class LoadTimeConstants {
 public:
  // The CONST payloads of `graph` only.
  explicit LoadTimeConstants(const graph::Graph& graph) : graph_(graph) {}
  // Also the tensors marked in `folded` (indexed by TensorId), whose values are data[id] in the
  // executor's storage layout. `data` and `folded` must outlive this object.
  LoadTimeConstants(const graph::Graph& graph, std::span<uint8_t* const> data,
                    const std::vector<bool>& folded)
      : graph_(graph), data_(data), folded_(&folded) {}

  // The bytes of `id`, in the storage layout kernels read, when its value is known at load and
  // it holds at least `min_bytes` (>= 1); else nullptr. A CONST payload whose file layout differs
  // from the storage layout (packed INT4, INT48) is not offered.
  const uint8_t* Find(graph::TensorId id, size_t min_bytes) const;

  const graph::Graph& graph() const { return graph_; }

 private:
  const graph::Graph& graph_;
  std::span<uint8_t* const> data_;
  const std::vector<bool>* folded_ = nullptr;
};

}  // namespace inferd::cpu
