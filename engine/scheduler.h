// Scheduler: one model version's request queue and the worker per instance that drains it — bounded
// queue, dynamic batching, deadlines and cancellation honoured before any work is spent on a
// request.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/backend.h"
#include "engine/inference_request.h"
#include "engine/model_statistics.h"

namespace inferd {

struct SchedulerOptions {
  std::string model_name;
  int64_t version = 0;
  int max_batch_size = 0;  // 0: the model does not batch; each request runs alone
  bool dynamic_batching = false;
  std::vector<int>
      preferred_batch_sizes;  // a forming batch is dispatched once it reaches the largest
  absl::Duration max_queue_delay = absl::ZeroDuration();
  size_t max_queue_size = 1024;  // requests waiting beyond this are refused with RESOURCE_EXHAUSTED
  // The declared outputs; every batch's result is checked against them (CheckBatchOutputs).
  std::vector<TensorSpec> outputs;
};

class Scheduler {
 public:
  Scheduler(SchedulerOptions options, std::vector<std::unique_ptr<Executable>> instances,
            std::shared_ptr<ModelStatistics> statistics);
  ~Scheduler();  // drains

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues `request`. On an error (queue full: RESOURCE_EXHAUSTED; draining: UNAVAILABLE) the
  // request is not taken and its callback is never called; otherwise the callback runs exactly
  // once, later.
  absl::Status Enqueue(std::unique_ptr<InferenceRequest> request);

  // Stops accepting requests, completes everything queued or running, then joins the workers.
  void Drain();

  // Completes every request still waiting in the queue with `status` (the server's shutdown
  // deadline passed: they will not run); requests already running finish normally. Returns how
  // many were completed.
  size_t AbortQueued(const absl::Status& status);

  // Every instance's per-operator time, summed (see Executable::OperatorProfile).
  std::vector<OperatorTiming> OperatorProfile() const;

  // The first instance's error from Executable::Health, else OK.
  absl::Status Health() const;

 private:
  using RequestList = std::vector<std::unique_ptr<InferenceRequest>>;

  void WorkerLoop();
  // Takes the next batch off the queue and an idle instance to run it, waiting for more requests
  // while dynamic batching allows. Returns an empty list when draining and the queue is empty.
  RequestList NextBatch(Executable*& instance);
  // Completes abandoned requests, runs the rest on `instance`, then returns the instance to the
  // idle set.
  void RunAndRelease(Executable* instance, RequestList requests);
  // Completes requests that nobody waits for any more; returns those still worth running.
  RequestList DropAbandoned(RequestList requests, absl::Time now);
  void Run(Executable* executable, RequestList requests, absl::Time dispatch_time);
  void Fail(InferenceRequest& request, absl::Status status, FailureReason reason);

  const SchedulerOptions options_;
  const int target_batch_size_;
  std::vector<std::unique_ptr<Executable>> instances_;
  std::shared_ptr<ModelStatistics> statistics_;

  std::mutex mutex_;
  std::condition_variable queue_changed_;
  std::deque<std::unique_ptr<InferenceRequest>> queue_;
  std::vector<Executable*> idle_instances_;
  // Inline dispatch: a request that finds the queue empty and an instance idle runs at once on the
  // submitting thread (only for backends that complete inline, and when batching would not wait).
  const bool inline_dispatch_;
  bool draining_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace inferd
