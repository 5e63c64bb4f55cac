// The backends compiled into this daemon, registered by name. The only place that names concrete
// backends, so that the engine never depends on one.
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "engine/backend_registry.h"

namespace inferd {
namespace ethosu {
class TargetPool;
}

// With `target_pool`, also registers the "ethosu" backend, which sends jobs to that pool.
absl::Status RegisterBuiltinBackends(BackendRegistry& registry,
                                     std::shared_ptr<ethosu::TargetPool> target_pool = nullptr);

}  // namespace inferd
