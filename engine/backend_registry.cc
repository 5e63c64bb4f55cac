#include "engine/backend_registry.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace inferd {

absl::Status BackendRegistry::Register(std::unique_ptr<Backend> backend) {
  if (Find(backend->name()) != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat("backend '", std::string(backend->name()), "' is registered twice"));
  }
  backends_.push_back(std::move(backend));
  return absl::OkStatus();
}

Backend* BackendRegistry::Find(std::string_view name) const {
  for (const auto& backend : backends_) {
    if (backend->name() == name) return backend.get();
  }
  return nullptr;
}

std::vector<std::string> BackendRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& backend : backends_) names.emplace_back(backend->name());
  return names;
}

}  // namespace inferd
