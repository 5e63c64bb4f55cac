// The tensor values binding may read at load, to pack weights for the optimised kernels once: the
// payloads of CONST operators and, when the executor has folded constants, the outputs of the
// folded operators. A weight computed by folding (a RESHAPE, TRANSPOSE or CAST of a CONST, say)
// thus binds the same optimised kernel as a CONST weight.
//
// Binding packs weights through Pack: with the executor's PackedWeights store every step that
// packs a weight the same way shares one copy, and each call records the operand as one the step
// being bound reads only through its packed copy, never at run time. The executor takes these
// records after binding each operator (TakePackedOperands) to drop the constants no step reads
// (graph_executor.h), so that a loaded model holds such a weight once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "backends/cpu/packed_weights.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

class LoadTimeConstants {
 public:
  // The CONST payloads of `graph` only.
  explicit LoadTimeConstants(const graph::Graph& graph) : graph_(graph) {}
  // Also the tensors marked in `folded` (indexed by TensorId), whose values are data[id] in the
  // executor's storage layout; packed weights are kept in `packed` when not null. `data`, `folded`
  // and `packed` must outlive this object.
  LoadTimeConstants(const graph::Graph& graph, std::span<uint8_t* const> data,
                    const std::vector<bool>& folded, PackedWeights* packed = nullptr)
      : graph_(graph), data_(data), folded_(&folded), packed_(packed) {}

  // The bytes of `id`, in the storage layout kernels read, when its value is known at load and
  // it holds at least `min_bytes` (>= 1); else nullptr. A CONST payload whose file layout differs
  // from the storage layout (packed INT4, INT48) is not offered.
  const uint8_t* Find(graph::TensorId id, size_t min_bytes) const;

  // The packed form of weight `id` (whose value Find gave), made by `pack` unless the store holds
  // it already (without a store, made afresh). Only for a step that then never reads `id` at run
  // time: `id` is recorded as read through the packed copy alone.
  template <typename Packed>
  std::shared_ptr<const Packed> Pack(graph::TensorId id, WeightPacking packing, int32_t zero_point,
                                     absl::FunctionRef<Packed()> pack) const {
    packed_operands_.push_back(id);
    if (packed_ == nullptr) return std::make_shared<const Packed>(pack());
    return packed_->GetOrPack<Packed>(id, packing, zero_point, pack);
  }

  // The operands Pack recorded since the last call.
  std::vector<graph::TensorId> TakePackedOperands() const {
    return std::exchange(packed_operands_, {});
  }

  const graph::Graph& graph() const { return graph_; }

 private:
  const graph::Graph& graph_;
  std::span<uint8_t* const> data_;
  const std::vector<bool>* folded_ = nullptr;
  PackedWeights* packed_ = nullptr;
  // A record binding writes through the const reference it is given, like a log.
  mutable std::vector<graph::TensorId> packed_operands_;
};

}  // namespace inferd::cpu
