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
#ifdef INFERD_HAVE_VULKAN
namespace {

// The same options on every path: the first caller creates the process's Vulkan context.
vulkan::VulkanContextOptions ContextOptions(const VulkanSettings& vulkan) {
  return {.device_filter = vulkan.device_filter,
          .pipeline_cache_dir = vulkan.pipeline_cache_dir,
          .robust_buffer_access = vulkan.robust_buffer_access};
}

}  // namespace
#endif

absl::Status RegisterBuiltinBackends(BackendRegistry& registry,
                                     std::shared_ptr<ethosu::TargetPool> target_pool,
                                     const VulkanSettings& vulkan) {
  if (auto status = registry.Register(std::make_unique<cpu::CpuBackend>()); !status.ok()) {
    return status;
  }
#ifdef INFERD_HAVE_VULKAN
  if (auto status =
          registry.Register(std::make_unique<vulkan::VulkanBackend>(ContextOptions(vulkan)));
      !status.ok()) {
    return status;
  }
#else
  (void)vulkan;
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

DeviceList ListBackendDevices(const VulkanSettings& vulkan) {
#ifdef INFERD_HAVE_VULKAN
  auto context = vulkan::VulkanContext::Get(ContextOptions(vulkan));
  if (!context.ok()) return DeviceList{{}, std::string(context.status().message())};
  return DeviceList{(*context)->Status(), ""};
#else
  (void)vulkan;
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
