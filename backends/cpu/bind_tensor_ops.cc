// Binds the tensor operator family (see binding_families.h).
#include "backends/cpu/binding_families.h"

namespace inferd::cpu {

std::optional<absl::StatusOr<BoundStep>> BindTensorFamily(const graph::Graph& graph,
                                                          const graph::Operator& op) {
  return std::nullopt;
}

}  // namespace inferd::cpu
