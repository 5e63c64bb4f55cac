#include "backends/vulkan/vulkan_metrics.h"

#include <string>

#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_device.h"

namespace inferd::vulkan {
namespace {

prometheus::ClientMetric Gauge(const PhysicalDeviceInfo& info, double value) {
  prometheus::ClientMetric metric;
  metric.label.push_back({"device", std::to_string(info.index)});
  metric.label.push_back({"name", info.name});
  metric.gauge.value = value;
  return metric;
}

}  // namespace

std::vector<prometheus::MetricFamily> VulkanMetrics::Collect() const {
  prometheus::MetricFamily used{"inferd_gpu_memory_used_bytes",
                                "Device memory inferd has allocated on a Vulkan device (tensors, "
                                "constants, staging)",
                                prometheus::MetricType::Gauge,
                                {}};
  prometheus::MetricFamily total{"inferd_gpu_memory_total_bytes",
                                 "The device-local memory heaps of a Vulkan device",
                                 prometheus::MetricType::Gauge,
                                 {}};
  prometheus::MetricFamily lost{
      "inferd_gpu_device_lost",
      "1 once a Vulkan device was lost (VK_ERROR_DEVICE_LOST or a failed "
      "wait): its models fail every request until inferd restarts; else 0",
      prometheus::MetricType::Gauge,
      {}};
  prometheus::MetricFamily busy{
      "inferd_gpu_busy_seconds_total",
      "GPU time a Vulkan device spent running inferd's batches, measured with timestamp "
      "queries around each batch item's work (with control flow, each run of steps between the "
      "host's decisions)",
      prometheus::MetricType::Counter,
      {}};
  // Only a context that already exists: scraping never starts Vulkan.
  if (std::shared_ptr<VulkanContext> context = VulkanContext::IfCreated()) {
    for (const std::shared_ptr<VulkanDevice>& device : context->OpenedDevices()) {
      used.metric.push_back(Gauge(device->info(), static_cast<double>(device->allocated_bytes())));
      total.metric.push_back(
          Gauge(device->info(), static_cast<double>(device->info().device_local_bytes)));
      lost.metric.push_back(Gauge(device->info(), device->lost_reason().empty() ? 0.0 : 1.0));
      prometheus::ClientMetric seconds = Gauge(device->info(), 0);
      seconds.counter.value = static_cast<double>(device->busy_ns()) / 1e9;
      busy.metric.push_back(std::move(seconds));
    }
  }
  return {used, total, lost, busy};
}

}  // namespace inferd::vulkan
