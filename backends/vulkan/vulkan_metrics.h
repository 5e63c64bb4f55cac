// Per-device Prometheus series of the tosa_vulkan backend, read at scrape time from the devices
// models have opened: inferd_gpu_memory_used_bytes{device,name} (what inferd allocated on the
// device), inferd_gpu_memory_total_bytes{device,name} (its device-local heaps) and
// inferd_gpu_device_lost{device,name} (1 once the device was lost, else 0).
#pragma once

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace inferd::vulkan {

class VulkanMetrics : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace inferd::vulkan
