#include "server/builtin_backends.h"

#include <memory>

#include "backends/cpu/cpu_backend.h"
#include "backends/ethosu/ethosu_backend.h"

namespace inferd {

absl::Status RegisterBuiltinBackends(BackendRegistry& registry,
                                     std::shared_ptr<ethosu::TargetPool> target_pool) {
  if (auto status = registry.Register(std::make_unique<cpu::CpuBackend>()); !status.ok()) {
    return status;
  }
  if (target_pool == nullptr) return absl::OkStatus();
  return registry.Register(std::make_unique<ethosu::EthosuBackend>(std::move(target_pool)));
}

}  // namespace inferd
