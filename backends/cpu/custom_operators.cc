#include "backends/cpu/custom_operators.h"

#include <variant>

#include "absl/strings/str_cat.h"

namespace inferd::cpu {

CustomOperatorRegistry& CustomOperatorRegistry::Global() {
  static CustomOperatorRegistry* const registry = new CustomOperatorRegistry();
  return *registry;
}

absl::Status CustomOperatorRegistry::Register(const std::string& domain, const std::string& name,
                                              CustomOperatorBinder binder) {
  if (name.empty() || !binder) {
    return absl::InvalidArgumentError("a custom operator needs an operator name and a binder");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!binders_.emplace(std::make_pair(domain, name), std::move(binder)).second) {
    return absl::AlreadyExistsError(absl::StrCat("custom operator '", name, "' of domain '", domain,
                                                 "' is already registered"));
  }
  return absl::OkStatus();
}

absl::Status CustomOperatorRegistry::Unregister(const std::string& domain,
                                                const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (binders_.erase(std::make_pair(domain, name)) == 0) {
    return absl::NotFoundError(
        absl::StrCat("custom operator '", name, "' of domain '", domain, "' is not registered"));
  }
  return absl::OkStatus();
}

std::optional<CustomOperatorBinder> CustomOperatorRegistry::Find(const std::string& domain,
                                                                 const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = binders_.find(std::make_pair(domain, name));
  if (it == binders_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<BoundStep> BindCustomOperator(const graph::Graph& graph, const graph::Operator& op) {
  const auto* attr = std::get_if<graph::CustomAttr>(&op.attribute);
  const graph::CustomAttr none;
  if (attr == nullptr) attr = &none;
  std::optional<CustomOperatorBinder> binder =
      CustomOperatorRegistry::Global().Find(attr->domain_name, attr->operator_name);
  if (!binder.has_value()) {
    return absl::UnimplementedError(
        absl::StrCat("custom operator '", attr->operator_name, "' of domain '", attr->domain_name,
                     "' is not registered with the CPU backend (CustomOperatorRegistry)"));
  }
  return (*binder)(graph, op);
}

}  // namespace inferd::cpu
