#include "engine/model_statistics.h"

#include "absl/time/clock.h"

namespace inferd {
namespace {

double Seconds(absl::Duration duration) { return absl::ToDoubleSeconds(duration); }

}  // namespace

void DurationStat::Add(absl::Duration duration) {
  ++count;
  ns += static_cast<uint64_t>(absl::ToInt64Nanoseconds(duration));
}

void ModelStatistics::RequestAccepted() {
  if (metrics_.pending_requests) metrics_.pending_requests->Increment();
}

void ModelStatistics::RequestSucceeded(int64_t batch_size, const RequestTimings& timings) {
  {
    std::lock_guard lock(mutex_);
    stats_.success.Add(timings.total);
    stats_.queue.Add(timings.queue);
    stats_.compute_input.Add(timings.compute_input);
    stats_.compute_infer.Add(timings.compute_infer);
    stats_.compute_output.Add(timings.compute_output);
    stats_.inference_count += static_cast<uint64_t>(batch_size);
    stats_.last_inference_ms = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()));
  }
  if (metrics_.request_success == nullptr) return;
  metrics_.request_success->Increment();
  metrics_.inference_count->Increment(static_cast<double>(batch_size));
  metrics_.pending_requests->Decrement();
  metrics_.queue_duration->Observe(Seconds(timings.queue));
  metrics_.compute_input_duration->Observe(Seconds(timings.compute_input));
  metrics_.compute_infer_duration->Observe(Seconds(timings.compute_infer));
  metrics_.compute_output_duration->Observe(Seconds(timings.compute_output));
}

void ModelStatistics::RequestFailed(FailureReason reason, absl::Duration total, bool was_accepted) {
  {
    std::lock_guard lock(mutex_);
    stats_.fail.Add(total);
  }
  if (metrics_.request_success == nullptr) return;
  metrics_.failure(reason)->Increment();
  if (was_accepted) metrics_.pending_requests->Decrement();
}

void ModelStatistics::ExecutionDone(int64_t batch_size, absl::Duration compute_input,
                                    absl::Duration compute_infer, absl::Duration compute_output) {
  {
    std::lock_guard lock(mutex_);
    ++stats_.execution_count;
    BatchStat& batch = stats_.batches[batch_size];
    batch.compute_input.Add(compute_input);
    batch.compute_infer.Add(compute_infer);
    batch.compute_output.Add(compute_output);
  }
  if (metrics_.execution_count) metrics_.execution_count->Increment();
}

StatisticsSnapshot ModelStatistics::Snapshot() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace inferd
