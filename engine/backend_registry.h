// BackendRegistry: the backends this daemon can run models on, by name. server/main fills it; the
// engine only looks backends up, so it never depends on any of them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/backend.h"

namespace inferd {

class BackendRegistry {
 public:
  // Fails with ALREADY_EXISTS when a backend of the same name is registered.
  absl::Status Register(std::unique_ptr<Backend> backend);

  // nullptr when no backend has that name.
  Backend* Find(std::string_view name) const;

  std::vector<std::string> Names() const;

 private:
  std::vector<std::unique_ptr<Backend>> backends_;
};

}  // namespace inferd
