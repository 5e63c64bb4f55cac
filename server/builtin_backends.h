// The backends compiled into this daemon, registered by name. The only place that names concrete
// backends, so that the engine never depends on one.
#pragma once

#include "absl/status/status.h"
#include "engine/backend_registry.h"

namespace inferd {

absl::Status RegisterBuiltinBackends(BackendRegistry& registry);

}  // namespace inferd
