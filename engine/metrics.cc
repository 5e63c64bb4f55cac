#include "engine/metrics.h"

namespace inferd {
namespace {

// Latency buckets in seconds, from 10 µs to 10 s: inference on small models is sub-millisecond,
// remote NPU jobs reach seconds.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
          1e-2, 2.5e-2, 5e-2, 0.1,  0.25,   0.5,  1.0,  2.5,    10.0};
}

}  // namespace

prometheus::Counter* ModelMetrics::failure(FailureReason reason) const {
  switch (reason) {
    case FailureReason::kRejected:
      return request_failure_rejected;
    case FailureReason::kCanceled:
      return request_failure_canceled;
    case FailureReason::kBackend:
      return request_failure_backend;
    case FailureReason::kOther:
      return request_failure_other;
  }
  return request_failure_other;
}

MetricsRegistry::MetricsRegistry()
    : registry_(std::make_shared<prometheus::Registry>()),
      request_success_(prometheus::BuildCounter()
                           .Name("inferd_inference_request_success")
                           .Help("Successful inference requests (all batch sizes count once)")
                           .Register(*registry_)),
      request_failure_(prometheus::BuildCounter()
                           .Name("inferd_inference_request_failure")
                           .Help("Failed inference requests, by reason: REJECTED (queue full, bad "
                                 "input), CANCELED (client gone, deadline), BACKEND, OTHER")
                           .Register(*registry_)),
      inference_count_(prometheus::BuildCounter()
                           .Name("inferd_inference_count")
                           .Help("Inferences performed: every batch element of a request counts")
                           .Register(*registry_)),
      execution_count_(prometheus::BuildCounter()
                           .Name("inferd_inference_exec_count")
                           .Help("Model executions: a dynamically batched execution counts once")
                           .Register(*registry_)),
      pending_requests_(prometheus::BuildGauge()
                            .Name("inferd_inference_pending_request_count")
                            .Help("Requests accepted and not yet completed")
                            .Register(*registry_)),
      queue_duration_(prometheus::BuildHistogram()
                          .Name("inferd_inference_queue_duration_seconds")
                          .Help("Time requests waited in the scheduler queue")
                          .Register(*registry_)),
      compute_input_duration_(prometheus::BuildHistogram()
                                  .Name("inferd_inference_compute_input_duration_seconds")
                                  .Help("Time preparing a request's inputs for the backend")
                                  .Register(*registry_)),
      compute_infer_duration_(prometheus::BuildHistogram()
                                  .Name("inferd_inference_compute_infer_duration_seconds")
                                  .Help("Time the backend spent executing a request's batch")
                                  .Register(*registry_)),
      compute_output_duration_(prometheus::BuildHistogram()
                                   .Name("inferd_inference_compute_output_duration_seconds")
                                   .Help("Time extracting a request's outputs from its batch")
                                   .Register(*registry_)),
      model_load_duration_(prometheus::BuildGauge()
                               .Name("inferd_model_load_duration_seconds")
                               .Help("How long the last load of a model version took")
                               .Register(*registry_)),
      model_loads_(prometheus::BuildCounter()
                       .Name("inferd_model_load_total")
                       .Help("Model version loads, by outcome (success, failure)")
                       .Register(*registry_)),
      unrouted_failures_(prometheus::BuildCounter()
                             .Name("inferd_inference_request_failure_unrouted_total")
                             .Help("Inference requests that reached no model version, by reason: "
                                   "unknown_model, not_ready, invalid_name")
                             .Register(*registry_)),
      // Created up front so that every reason shows as 0 before the first failure.
      unrouted_unknown_model_(unrouted_failures_.Add({{"reason", "unknown_model"}})),
      unrouted_not_ready_(unrouted_failures_.Add({{"reason", "not_ready"}})),
      unrouted_invalid_name_(unrouted_failures_.Add({{"reason", "invalid_name"}})) {}

ModelMetrics MetricsRegistry::ForModel(const std::string& model, int64_t version) {
  const std::map<std::string, std::string> labels = {{"model", model},
                                                     {"version", std::to_string(version)}};
  auto with_reason = [&](const char* reason) {
    auto reason_labels = labels;
    reason_labels["reason"] = reason;
    return &request_failure_.Add(reason_labels);
  };
  ModelMetrics metrics;
  metrics.request_success = &request_success_.Add(labels);
  metrics.request_failure_rejected = with_reason("REJECTED");
  metrics.request_failure_canceled = with_reason("CANCELED");
  metrics.request_failure_backend = with_reason("BACKEND");
  metrics.request_failure_other = with_reason("OTHER");
  metrics.inference_count = &inference_count_.Add(labels);
  metrics.execution_count = &execution_count_.Add(labels);
  metrics.pending_requests = &pending_requests_.Add(labels);
  metrics.queue_duration = &queue_duration_.Add(labels, LatencyBuckets());
  metrics.compute_input_duration = &compute_input_duration_.Add(labels, LatencyBuckets());
  metrics.compute_infer_duration = &compute_infer_duration_.Add(labels, LatencyBuckets());
  metrics.compute_output_duration = &compute_output_duration_.Add(labels, LatencyBuckets());
  return metrics;
}

void MetricsRegistry::RecordModelLoad(const std::string& model, int64_t version, double seconds,
                                      bool ok) {
  const std::map<std::string, std::string> labels = {{"model", model},
                                                     {"version", std::to_string(version)}};
  model_load_duration_.Add(labels).Set(seconds);
  auto outcome_labels = labels;
  outcome_labels["outcome"] = ok ? "success" : "failure";
  model_loads_.Add(outcome_labels).Increment();
}

void MetricsRegistry::RecordUnroutedFailure(UnroutedReason reason) {
  switch (reason) {
    case UnroutedReason::kUnknownModel:
      unrouted_unknown_model_.Increment();
      return;
    case UnroutedReason::kNotReady:
      unrouted_not_ready_.Increment();
      return;
    case UnroutedReason::kInvalidName:
      unrouted_invalid_name_.Increment();
      return;
  }
}

}  // namespace inferd
