// The backends compiled into this daemon, registered by name. The only place that names concrete
// backends, so that the engine never depends on one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/backend_registry.h"
#include "engine/device_status.h"
#include "prometheus/collectable.h"

namespace inferd {
namespace ethosu {
class TargetPool;
}

// What the operator chose for the tosa_vulkan backend (docs/vulkan.md).
struct VulkanSettings {
  std::string device_filter;          // --vulkan-device-filter
  std::string pipeline_cache_dir;     // --vulkan-pipeline-cache-dir
  bool robust_buffer_access = false;  // --vulkan-robust-buffer-access
};

// With `target_pool`, also registers the "ethosu" backend, which sends jobs to that pool. The
// "tosa_vulkan" backend is registered when it was built (Vulkan headers and glslc present); it
// opens a device only when a model asks for one, seeing the devices `vulkan.device_filter` leaves.
absl::Status RegisterBuiltinBackends(BackendRegistry& registry,
                                     std::shared_ptr<ethosu::TargetPool> target_pool = nullptr,
                                     const VulkanSettings& vulkan = {});

// Series the built-in backends export at scrape time (per-device GPU memory, ...).
std::vector<std::shared_ptr<prometheus::Collectable>> BuiltinBackendMetrics();

// The devices of the device backends (Vulkan) for the DeviceAdmin API.
DeviceList ListBackendDevices(const VulkanSettings& vulkan);

// The start-up log's line about Vulkan: when its devices are probed (on first use, so that a daemon
// serving no GPU model loads no driver), or that this build has no Vulkan backend.
std::string VulkanStartupNote();

}  // namespace inferd
