#include "backends/cpu/variable_store.h"

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backends/cpu/constant_layout.h"
#include "engine/graph/graph_variables.h"

namespace inferd::cpu {

void VariableStore::FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

absl::StatusOr<std::unique_ptr<VariableStore>> VariableStore::Create(const graph::Graph& graph) {
  auto store = std::unique_ptr<VariableStore>(new VariableStore());
  for (graph::TensorId id = 0; id < graph.tensors.size(); ++id) {
    const graph::Tensor& t = graph.tensor(id);
    if (!t.variable) continue;
    const size_t element_bytes = StorageElementBytes(t.dtype);
    if (element_bytes == 0) {
      return absl::UnimplementedError(absl::StrCat(
          "variable '", std::string(graph::VariableUid(t)), "': the CPU backend cannot hold ",
          std::string(graph::DTypeName(t.dtype)), " tensors"));
    }
    Variable* variable = store->Find(t);
    const int64_t elements = graph::ElementCount(t).value_or(0);
    if (variable == nullptr) {
      auto fresh = std::make_unique<Variable>();
      fresh->uid = std::string(graph::VariableUid(t));
      fresh->size = static_cast<size_t>(elements) * element_bytes;
      constexpr size_t kAlignment = 64;
      fresh->bytes.reset(static_cast<uint8_t*>(std::aligned_alloc(
          kAlignment, (fresh->size + kAlignment - 1) / kAlignment * kAlignment + kAlignment)));
      if (fresh->bytes == nullptr) {
        return absl::ResourceExhaustedError(
            absl::StrCat("out of memory for variable '", fresh->uid, "'"));
      }
      std::memset(fresh->bytes.get(), 0, fresh->size);
      variable = fresh.get();
      store->variables_.push_back(std::move(fresh));
    }
    // The validator made every initial value of a uid the same.
    if (!t.data.empty() && !variable->written) {
      DecodeConstantData(t, elements, variable->bytes.get());
      variable->written = true;
    }
    store->tensors_.emplace_back(id, variable);
  }
  return store;
}

VariableStore::Variable* VariableStore::Find(const graph::Tensor& tensor) {
  for (const auto& v : variables_) {
    if (v->uid == graph::VariableUid(tensor)) return v.get();
  }
  return nullptr;
}

void VariableStore::Bind(std::vector<uint8_t*>& data) const {
  for (const auto& [id, variable] : tensors_) data[id] = variable->bytes.get();
}

std::optional<BoundStep> VariableStore::BindAccess(const graph::Graph& graph,
                                                   const graph::Operator& op) {
  const graph::VariableAccess access = graph::VariableAccessOf(graph, op);
  switch (access) {
    case graph::VariableAccess::kNone:
      return std::nullopt;
    case graph::VariableAccess::kDeclare:
      return BoundStep();
    case graph::VariableAccess::kWrite: {
      Variable* variable = Find(graph.tensor(op.outputs[0]));
      const graph::TensorId value = op.inputs[0];
      return BoundStep([variable, value](TensorData d) {
        std::memcpy(variable->bytes.get(), d[value], variable->size);
        variable->written = true;
        return absl::OkStatus();
      });
    }
    case graph::VariableAccess::kRead: {
      Variable* variable = Find(graph.tensor(op.inputs[0]));
      const graph::TensorId value = op.outputs[0];
      return BoundStep([variable, value](TensorData d) {
        if (!variable->written) {
          return absl::FailedPreconditionError(
              absl::StrCat("variable '", variable->uid,
                           "' is read before it was written and has no initial value"));
        }
        std::memcpy(d[value], variable->bytes.get(), variable->size);
        return absl::OkStatus();
      });
    }
  }
  return std::nullopt;
}

}  // namespace inferd::cpu
