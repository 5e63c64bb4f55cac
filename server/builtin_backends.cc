#include "server/builtin_backends.h"

#include <memory>

#include "backends/cpu/cpu_backend.h"
#include "backends/ethosu/ethosu_backend.h"
#ifdef INFERD_HAVE_VULKAN
#include "backends/vulkan/vulkan_backend.h"
#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_metrics.h"
#endif

namespace inferd {

absl::Status RegisterBuiltinBackends(BackendRegistry& registry,
                                     std::shared_ptr<ethosu::TargetPool> target_pool,
                                     const std::string& vulkan_device_filter) {
  if (auto status = registry.Register(std::make_unique<cpu::CpuBackend>()); !status.ok()) {
    return status;
  }
#ifdef INFERD_HAVE_VULKAN
  if (auto status = registry.Register(std::make_unique<vulkan::VulkanBackend>(
          vulkan::VulkanContextOptions{.device_filter = vulkan_device_filter}));
      !status.ok()) {
    return status;
  }
#else
  (void)vulkan_device_filter;
#endif
  if (target_pool == nullptr) return absl::OkStatus();
  return registry.Register(std::make_unique<ethosu::EthosuBackend>(std::move(target_pool)));
}

std::vector<std::shared_ptr<prometheus::Collectable>> BuiltinBackendMetrics() {
#ifdef INFERD_HAVE_VULKAN
  return {std::make_shared<vulkan::VulkanMetrics>()};
#else
  return {};
#endif
}

DeviceList ListBackendDevices(const std::string& vulkan_device_filter) {
#ifdef INFERD_HAVE_VULKAN
  auto context = vulkan::VulkanContext::Get({.device_filter = vulkan_device_filter});
  if (!context.ok()) return DeviceList{{}, std::string(context.status().message())};
  return DeviceList{(*context)->Status(), ""};
#else
  (void)vulkan_device_filter;
  return DeviceList{{}, "this build has no tosa_vulkan backend"};
#endif
}

std::string VulkanStartupNote() {
#ifdef INFERD_HAVE_VULKAN
  return "Vulkan devices are probed, and logged, when the first tosa_vulkan model loads or a "
         "client lists devices";
#else
  return "this build has no tosa_vulkan backend (built without the Vulkan headers or glslc)";
#endif
}

}  // namespace inferd
