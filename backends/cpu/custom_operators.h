// TOSA CUSTOM operators on the CPU backend. The specification leaves a custom operator's meaning
// to the implementation, naming it by domain_name and operator_name and handing it
// implementation_attrs as opaque bytes; this registry maps (domain, operator) to the code that
// binds such an operator, so an application that links the backend can add its own. A graph
// with a CUSTOM operator nobody registered fails its load with UNIMPLEMENTED naming both names.
//
// A binder runs once per operator at load, like BindOperator: it checks the operand types and
// shapes it supports (failing the load otherwise) and returns the step that runs the operator.
// The step reads data[op.inputs[i]] and writes data[op.outputs[j]], laid out as StorageBytes
// describes (kernel_binding.h); it must not allocate per run if it is to keep the executor's
// promise, and it runs on the inference thread. Custom operators are never constant-folded.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/cpu/kernel_binding.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

using CustomOperatorBinder =
    std::function<absl::StatusOr<BoundStep>(const graph::Graph& graph, const graph::Operator& op)>;

class CustomOperatorRegistry {
 public:
  // The registry BindOperator consults.
  static CustomOperatorRegistry& Global();

  // ALREADY_EXISTS when (domain, name) is taken; INVALID_ARGUMENT for an empty operator name or
  // binder.
  absl::Status Register(const std::string& domain, const std::string& name,
                        CustomOperatorBinder binder);
  // Removes a registration; models already loaded keep the steps they bound. NOT_FOUND if absent.
  absl::Status Unregister(const std::string& domain, const std::string& name);

  std::optional<CustomOperatorBinder> Find(const std::string& domain,
                                           const std::string& name) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, CustomOperatorBinder> binders_;
};

// Binds a CUSTOM operator through the global registry; UNIMPLEMENTED naming its domain and
// operator name when none is registered.
absl::StatusOr<BoundStep> BindCustomOperator(const graph::Graph& graph, const graph::Operator& op);

}  // namespace inferd::cpu
