#include "server/builtin_backends.h"

#include <memory>

#include "backends/cpu/cpu_backend.h"

namespace inferd {

absl::Status RegisterBuiltinBackends(BackendRegistry& registry) {
  return registry.Register(std::make_unique<cpu::CpuBackend>());
}

}  // namespace inferd
