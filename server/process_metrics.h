// ProcessMetrics: the standard Prometheus process_* series (CPU seconds, memory, open files,
// threads, start time) read from /proc/self at scrape time, since prometheus-cpp ships no process
// collector.
#pragma once

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace inferd {

class ProcessMetrics : public prometheus::Collectable {
 public:
  ProcessMetrics();
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  double start_time_seconds_;
};

}  // namespace inferd
