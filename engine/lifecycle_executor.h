// LifecycleExecutor: runs model loads and unloads on a small fixed pool of threads with a bounded
// queue. Operations on one model run one at a time, in the order they were submitted; operations on
// different models run independently, so a load stuck in a backend or in I/O holds one thread and
// its own model's queue, nothing else. Shutdown is bounded: queued operations are answered at once,
// running ones are waited for until a deadline and then abandoned (their threads keep the shared
// state they use alive, so they may finish later without touching freed memory).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace inferd {

// Called exactly once with an operation's outcome: on a worker thread when it ran, on the
// submitting thread when it was refused, on the Shutdown caller's thread when shutdown answered it.
using LifecycleCallback = std::function<void(absl::Status)>;

struct LifecycleExecutorOptions {
  int threads = 4;          // worker threads, created up front
  size_t max_pending = 64;  // operations accepted but not yet started, over all models
};

class LifecycleExecutor {
 public:
  explicit LifecycleExecutor(LifecycleExecutorOptions options);
  // Shuts down with an immediate deadline if Shutdown was not called, then lets go of any worker
  // still running an abandoned operation.
  ~LifecycleExecutor();

  LifecycleExecutor(const LifecycleExecutor&) = delete;
  LifecycleExecutor& operator=(const LifecycleExecutor&) = delete;

  // Queues `work` behind the operations already queued or running for `key` (a model name) and
  // calls `done` with its status once it ran. `description` ("load of model 'm'") names it in the
  // answers Submit and Shutdown give instead. Refusals, through `done` before Submit returns:
  // RESOURCE_EXHAUSTED when max_pending operations are already waiting (unless `bypass_limit`,
  // for the daemon's own start-up loads); UNAVAILABLE once shutdown began.
  void Submit(const std::string& key, std::string description, std::function<absl::Status()> work,
              LifecycleCallback done, bool bypass_limit = false);

  // Stops taking work, answers every queued operation with UNAVAILABLE "the server is shutting
  // down", and waits until `deadline` for the running ones. Those still running then are answered
  // UNAVAILABLE too and abandoned; their late outcome is dropped. Returns true when every worker
  // thread has finished (and is joined). May be called again, with a later deadline, to wait for
  // abandoned operations once more.
  bool Shutdown(absl::Time deadline);

  // Threads this executor created (for tests and logs): the pool never grows.
  int thread_count() const { return static_cast<int>(threads_.size()); }

 private:
  struct State;
  static void WorkerLoop(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
  std::vector<std::thread> threads_;
};

}  // namespace inferd
