// MetricsRegistry: the daemon's one Prometheus registry and the metric families the engine records
// into.
//
// The server owns it and exposes it at /metrics; the engine and backends only hold small typed
// handles (ModelMetrics) and never format text themselves. docs/metrics.md lists every series.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace inferd {

// Why a request failed, as the `reason` label of inferd_inference_request_failure.
enum class FailureReason { kRejected, kCanceled, kBackend, kOther };

// Why a request never reached a model version, as the `reason` label of
// inferd_inference_request_failure_unrouted_total. A fixed set: a label per requested name would
// let clients grow the registry without bound.
enum class UnroutedReason { kUnknownModel, kNotReady, kInvalidName };

// Handles for one model version's series; valid as long as the MetricsRegistry lives.
struct ModelMetrics {
  prometheus::Counter* request_success = nullptr;
  prometheus::Counter* request_failure_rejected = nullptr;
  prometheus::Counter* request_failure_canceled = nullptr;
  prometheus::Counter* request_failure_backend = nullptr;
  prometheus::Counter* request_failure_other = nullptr;
  prometheus::Counter* inference_count = nullptr;
  prometheus::Counter* execution_count = nullptr;
  prometheus::Gauge* pending_requests = nullptr;
  prometheus::Histogram* queue_duration = nullptr;
  prometheus::Histogram* compute_input_duration = nullptr;
  prometheus::Histogram* compute_infer_duration = nullptr;
  prometheus::Histogram* compute_output_duration = nullptr;

  prometheus::Counter* failure(FailureReason reason) const;
};

class MetricsRegistry {
 public:
  MetricsRegistry();

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // Creates (or finds) the series labelled {model, version}.
  ModelMetrics ForModel(const std::string& model, int64_t version);

  // Records how long loading one model version took, successful or not.
  void RecordModelLoad(const std::string& model, int64_t version, double seconds, bool ok);

  // Counts an inference request that named no ready model version (unknown model, unknown or
  // unready version, or a name or version refused before the lookup).
  void RecordUnroutedFailure(UnroutedReason reason);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& request_success_;
  prometheus::Family<prometheus::Counter>& request_failure_;
  prometheus::Family<prometheus::Counter>& inference_count_;
  prometheus::Family<prometheus::Counter>& execution_count_;
  prometheus::Family<prometheus::Gauge>& pending_requests_;
  prometheus::Family<prometheus::Histogram>& queue_duration_;
  prometheus::Family<prometheus::Histogram>& compute_input_duration_;
  prometheus::Family<prometheus::Histogram>& compute_infer_duration_;
  prometheus::Family<prometheus::Histogram>& compute_output_duration_;
  prometheus::Family<prometheus::Gauge>& model_load_duration_;
  prometheus::Family<prometheus::Counter>& model_loads_;
  prometheus::Family<prometheus::Counter>& unrouted_failures_;
  prometheus::Counter& unrouted_unknown_model_;
  prometheus::Counter& unrouted_not_ready_;
  prometheus::Counter& unrouted_invalid_name_;
};

}  // namespace inferd
