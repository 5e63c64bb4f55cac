#include "engine/scheduler.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "engine/batch_assembly.h"

namespace inferd {

Scheduler::Scheduler(SchedulerOptions options, std::vector<std::unique_ptr<Executable>> instances,
                     std::shared_ptr<ModelStatistics> statistics)
    : options_(std::move(options)),
      target_batch_size_(options_.preferred_batch_sizes.empty()
                             ? options_.max_batch_size
                             : *std::max_element(options_.preferred_batch_sizes.begin(),
                                                 options_.preferred_batch_sizes.end())),
      instances_(std::move(instances)),
      statistics_(std::move(statistics)),
      inline_dispatch_(
          std::all_of(instances_.begin(), instances_.end(),
                      [](const auto& instance) { return instance->CompletesInline(); }) &&
          (!options_.dynamic_batching || options_.max_queue_delay <= absl::ZeroDuration())) {
  for (auto& instance : instances_) {
    idle_instances_.push_back(instance.get());
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

Scheduler::~Scheduler() { Drain(); }

absl::Status Scheduler::Enqueue(std::unique_ptr<InferenceRequest> request) {
  Executable* instance = nullptr;  // set when the request runs inline on this thread
  {
    std::lock_guard lock(mutex_);
    if (draining_) {
      return absl::UnavailableError(absl::StrCat("model '", options_.model_name, "' version ",
                                                 options_.version, " is unloading"));
    }
    if (queue_.size() >= options_.max_queue_size) {
      return absl::ResourceExhaustedError(
          absl::StrCat("model '", options_.model_name, "' version ", options_.version,
                       ": the request queue is full (", options_.max_queue_size,
                       " requests waiting); retry later"));
    }
    if (inline_dispatch_ && queue_.empty() && !idle_instances_.empty()) {
      instance = idle_instances_.back();
      idle_instances_.pop_back();
    } else {
      queue_.push_back(std::move(request));
    }
  }
  statistics_->RequestAccepted();
  if (instance == nullptr) {
    queue_changed_.notify_one();
    return absl::OkStatus();
  }
  RequestList requests;
  requests.push_back(std::move(request));
  RunAndRelease(instance, std::move(requests));
  return absl::OkStatus();
}

std::vector<OperatorTiming> Scheduler::OperatorProfile() const {
  // instances_ is fixed for the scheduler's life, so no lock: each instance reads its own counters.
  std::vector<OperatorTiming> total;
  for (const std::unique_ptr<Executable>& instance : instances_) {
    AccumulateOperatorTimings(total, instance->OperatorProfile());
  }
  return total;
}

absl::Status Scheduler::Health() const {
  for (const std::unique_ptr<Executable>& instance : instances_) {
    if (absl::Status status = instance->Health(); !status.ok()) return status;
  }
  return absl::OkStatus();
}

void Scheduler::Drain() {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  queue_changed_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

size_t Scheduler::AbortQueued(const absl::Status& status) {
  std::deque<std::unique_ptr<InferenceRequest>> aborted;
  {
    std::lock_guard lock(mutex_);
    aborted.swap(queue_);
  }
  // Outside the lock: a completion callback may answer its client right here.
  for (auto& request : aborted) Fail(*request, status, FailureReason::kCanceled);
  queue_changed_.notify_all();
  return aborted.size();
}

void Scheduler::WorkerLoop() {
  while (true) {
    Executable* instance = nullptr;
    RequestList requests = NextBatch(instance);
    if (requests.empty()) return;
    RunAndRelease(instance, std::move(requests));
  }
}

void Scheduler::RunAndRelease(Executable* instance, RequestList requests) {
  const absl::Time dispatch_time = absl::Now();
  requests = DropAbandoned(std::move(requests), dispatch_time);
  if (!requests.empty()) Run(instance, std::move(requests), dispatch_time);
  {
    std::lock_guard lock(mutex_);
    idle_instances_.push_back(instance);
  }
  // Queued work may have waited for this instance; a draining worker waits for all to be idle.
  queue_changed_.notify_all();
}

Scheduler::RequestList Scheduler::NextBatch(Executable*& instance) {
  std::unique_lock lock(mutex_);
  // While draining, a worker leaves only once nothing is queued and no instance is busy (a request
  // may be running inline on a gRPC thread).
  queue_changed_.wait(lock, [this] {
    return (draining_ && queue_.empty() && idle_instances_.size() == instances_.size()) ||
           (!queue_.empty() && !idle_instances_.empty());
  });
  RequestList batch;
  if (queue_.empty()) return batch;  // draining and nothing left
  instance = idle_instances_.back();
  idle_instances_.pop_back();

  batch.push_back(std::move(queue_.front()));
  queue_.pop_front();
  if (!options_.dynamic_batching) return batch;

  int64_t rows = batch.front()->batch_size;
  const absl::Time close_at = batch.front()->arrival_time + options_.max_queue_delay;
  while (rows < target_batch_size_) {
    if (!queue_.empty()) {
      if (rows + queue_.front()->batch_size > options_.max_batch_size) break;
      rows += queue_.front()->batch_size;
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      continue;
    }
    // Wait for company only while the oldest request's delay budget lasts.
    if (draining_ || absl::Now() >= close_at) break;
    queue_changed_.wait_until(lock, absl::ToChronoTime(close_at));
  }
  // Another worker may be idle while this one ran the batching window.
  if (!queue_.empty()) queue_changed_.notify_one();
  return batch;
}

Scheduler::RequestList Scheduler::DropAbandoned(RequestList requests, absl::Time now) {
  RequestList live;
  for (auto& request : requests) {
    if (request->cancellation->IsCancelled()) {
      Fail(*request, absl::CancelledError("the request was cancelled by the client"),
           FailureReason::kCanceled);
    } else if (now > request->deadline) {
      Fail(*request,
           absl::DeadlineExceededError(absl::StrCat("model '", options_.model_name,
                                                    "': the request's deadline passed while it "
                                                    "waited in the queue")),
           FailureReason::kCanceled);
    } else {
      live.push_back(std::move(request));
    }
  }
  return live;
}

void Scheduler::Fail(InferenceRequest& request, absl::Status status, FailureReason reason) {
  statistics_->RequestFailed(reason, absl::Now() - request.arrival_time, /*was_accepted=*/true);
  request.on_complete(std::move(status));
}

void Scheduler::Run(Executable* executable, RequestList requests, absl::Time dispatch_time) {
  const absl::Time input_start = absl::Now();
  Batch batch;
  batch.cancellation = std::make_shared<CancellationToken>();
  batch.deadline = absl::InfinitePast();
  batch.batch_size = 0;
  for (const auto& request : requests) {
    batch.batch_size += request->batch_size;
    batch.deadline = std::max(batch.deadline, request->deadline);
  }
  if (options_.max_batch_size == 0) batch.batch_size = 1;
  batch.inputs = AssembleBatchInputs(requests);

  // The batch is abandoned only when every request in it is.
  auto remaining = std::make_shared<std::atomic<size_t>>(requests.size());
  for (const auto& request : requests) {
    request->cancellation->OnCancel([remaining, token = batch.cancellation] {
      if (remaining->fetch_sub(1) == 1) token->Cancel();
    });
  }
  const absl::Duration compute_input = absl::Now() - input_start;

  absl::Notification finished;
  absl::StatusOr<BatchResult> outcome;
  const absl::Time infer_start = absl::Now();
  executable->Execute(std::move(batch), [&](absl::StatusOr<BatchResult> result) {
    outcome = std::move(result);
    finished.Notify();
  });
  finished.WaitForNotification();
  const absl::Duration infer_wall = absl::Now() - infer_start;

  if (!outcome.ok()) {
    const FailureReason reason =
        absl::IsCancelled(outcome.status()) || absl::IsDeadlineExceeded(outcome.status())
            ? FailureReason::kCanceled
            : FailureReason::kBackend;
    for (auto& request : requests) Fail(*request, outcome.status(), reason);
    return;
  }

  int64_t rows = 0;
  for (const auto& request : requests) rows += request->batch_size;
  if (absl::Status valid =
          CheckBatchOutputs(*outcome, options_.outputs, rows, options_.max_batch_size > 0);
      !valid.ok()) {
    for (auto& request : requests) Fail(*request, valid, FailureReason::kBackend);
    return;
  }

  const absl::Time output_start = absl::Now();
  std::vector<InferenceResponse> responses =
      SplitBatchOutputs(requests, *outcome, options_.max_batch_size > 0);
  const absl::Duration compute_output = absl::Now() - output_start;
  const absl::Duration compute_infer =
      outcome->compute_infer > absl::ZeroDuration() ? outcome->compute_infer : infer_wall;

  statistics_->ExecutionDone(rows, compute_input, compute_infer, compute_output);
  for (size_t i = 0; i < requests.size(); ++i) {
    InferenceRequest& request = *requests[i];
    RequestTimings timings;
    timings.queue = dispatch_time - request.arrival_time;
    timings.compute_input = compute_input;
    timings.compute_infer = compute_infer;
    timings.compute_output = compute_output;
    timings.total = absl::Now() - request.arrival_time;
    statistics_->RequestSucceeded(request.batch_size, timings);
    request.on_complete(std::move(responses[i]));
  }
}

}  // namespace inferd
