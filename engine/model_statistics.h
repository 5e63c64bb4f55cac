// ModelStatistics: cumulative per-version counters behind the ModelStatistics RPC, recorded
// alongside the Prometheus series so that both always tell the same story.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>

#include "absl/time/time.h"
#include "engine/metrics.h"

namespace inferd {

struct DurationStat {
  uint64_t count = 0;
  uint64_t ns = 0;
  void Add(absl::Duration duration);
};

struct BatchStat {
  DurationStat compute_input;
  DurationStat compute_infer;
  DurationStat compute_output;
};

struct StatisticsSnapshot {
  uint64_t last_inference_ms = 0;
  uint64_t inference_count = 0;
  uint64_t execution_count = 0;
  DurationStat success, fail, queue, compute_input, compute_infer, compute_output;
  std::map<int64_t, BatchStat> batches;  // by batch size
};

// Per-request timings that a completed request contributes.
struct RequestTimings {
  absl::Duration total;
  absl::Duration queue;
  absl::Duration compute_input;
  absl::Duration compute_infer;
  absl::Duration compute_output;
};

class ModelStatistics {
 public:
  explicit ModelStatistics(ModelMetrics metrics) : metrics_(metrics) {}

  void RequestAccepted();
  void RequestSucceeded(int64_t batch_size, const RequestTimings& timings);
  void RequestFailed(FailureReason reason, absl::Duration total, bool was_accepted);
  void ExecutionDone(int64_t batch_size, absl::Duration compute_input, absl::Duration compute_infer,
                     absl::Duration compute_output);

  StatisticsSnapshot Snapshot() const;

 private:
  ModelMetrics metrics_;
  mutable std::mutex mutex_;
  StatisticsSnapshot stats_;
};

}  // namespace inferd
