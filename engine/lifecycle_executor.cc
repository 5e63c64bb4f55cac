#include "engine/lifecycle_executor.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"

namespace inferd {
namespace {

// Lets exactly one of a worker (with the real outcome) and Shutdown (with UNAVAILABLE) answer.
class OnceCallback {
 public:
  explicit OnceCallback(LifecycleCallback callback) : callback_(std::move(callback)) {}
  void Run(absl::Status status) {
    LifecycleCallback taken;
    {
      std::lock_guard lock(mutex_);
      taken = std::move(callback_);
      callback_ = nullptr;
    }
    if (taken) taken(std::move(status));
  }

 private:
  std::mutex mutex_;
  LifecycleCallback callback_;
};

struct Operation {
  std::string description;
  std::function<absl::Status()> work;
  std::shared_ptr<OnceCallback> done;
};

absl::Status ShuttingDown(const std::string& description, const char* what) {
  return absl::UnavailableError(
      absl::StrCat("the server is shutting down; the ", description, " ", what));
}

}  // namespace

// Owned jointly by the executor and its workers, so that a worker abandoned at shutdown can finish
// after the executor is gone.
struct LifecycleExecutor::State {
  explicit State(LifecycleExecutorOptions options) : options(options) {}

  const LifecycleExecutorOptions options;
  std::mutex mutex;
  std::condition_variable work_or_stop;                 // a key became runnable, or shutdown began
  std::condition_variable worker_exited;                // for Shutdown's bounded wait
  std::map<std::string, std::deque<Operation>> queues;  // per key, not yet started
  std::deque<std::string> runnable;                     // keys with queued work and none running
  std::map<std::string, std::pair<std::string, std::shared_ptr<OnceCallback>>> running;
  size_t pending = 0;
  int live_workers = 0;
  bool stopping = false;
};

LifecycleExecutor::LifecycleExecutor(LifecycleExecutorOptions options)
    : state_(std::make_shared<State>(options)) {
  const int count = std::max(1, options.threads);
  state_->live_workers = count;
  threads_.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) threads_.emplace_back(&LifecycleExecutor::WorkerLoop, state_);
}

LifecycleExecutor::~LifecycleExecutor() {
  Shutdown(absl::Now());
  // Still running: abandoned operations. The thread owns the state it uses; let it finish alone.
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.detach();
  }
}

void LifecycleExecutor::Submit(const std::string& key, std::string description,
                               std::function<absl::Status()> work, LifecycleCallback done,
                               bool bypass_limit) {
  absl::Status refusal;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
      refusal = ShuttingDown(description, "was not started");
    } else if (!bypass_limit && state_->pending >= state_->options.max_pending) {
      refusal = absl::ResourceExhaustedError(absl::StrCat(
          "the ", description, " was refused: ", state_->pending,
          " model loads and unloads are already waiting (the limit is --model-load-queue-size); "
          "retry later"));
    } else {
      auto& queue = state_->queues[key];
      queue.push_back({std::move(description), std::move(work),
                       std::make_shared<OnceCallback>(std::move(done))});
      ++state_->pending;
      if (queue.size() == 1 && !state_->running.contains(key)) {
        state_->runnable.push_back(key);
        state_->work_or_stop.notify_one();
      }
      return;
    }
  }
  done(std::move(refusal));
}

void LifecycleExecutor::WorkerLoop(std::shared_ptr<State> state) {
  std::unique_lock lock(state->mutex);
  while (true) {
    state->work_or_stop.wait(lock, [&] { return state->stopping || !state->runnable.empty(); });
    if (state->stopping) break;  // Shutdown answers what is still queued
    const std::string key = std::move(state->runnable.front());
    state->runnable.pop_front();
    auto& queue = state->queues[key];
    Operation operation = std::move(queue.front());
    queue.pop_front();
    --state->pending;
    state->running[key] = {operation.description, operation.done};
    lock.unlock();

    absl::Status status = operation.work();
    operation.done->Run(std::move(status));  // a no-op when Shutdown already answered it
    operation = Operation{};  // release what the work captured before taking the lock again

    lock.lock();
    state->running.erase(key);
    auto it = state->queues.find(key);
    if (it != state->queues.end() && !it->second.empty()) {
      state->runnable.push_back(key);
      state->work_or_stop.notify_one();
    } else if (it != state->queues.end()) {
      state->queues.erase(it);
    }
  }
  --state->live_workers;
  state->worker_exited.notify_all();
}

bool LifecycleExecutor::Shutdown(absl::Time deadline) {
  std::vector<Operation> queued;
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    for (auto& [key, queue] : state_->queues) {
      for (Operation& operation : queue) queued.push_back(std::move(operation));
    }
    state_->queues.clear();
    state_->runnable.clear();
    state_->pending = 0;
  }
  state_->work_or_stop.notify_all();
  for (Operation& operation : queued) {
    operation.done->Run(ShuttingDown(operation.description, "was not started"));
  }

  std::vector<std::pair<std::string, std::shared_ptr<OnceCallback>>> abandoned;
  {
    std::unique_lock lock(state_->mutex);
    const auto finished = [&] { return state_->live_workers == 0; };
    if (deadline == absl::InfiniteFuture()) {
      state_->worker_exited.wait(lock, finished);
    } else {
      state_->worker_exited.wait_until(lock, absl::ToChronoTime(deadline), finished);
    }
    // No operation running: the remaining workers are only on their way out, wait for them.
    if (state_->running.empty()) state_->worker_exited.wait(lock, finished);
    if (!finished()) {
      for (const auto& [key, running] : state_->running) abandoned.push_back(running);
    }
  }
  for (auto& [description, done] : abandoned) {
    done->Run(ShuttingDown(description, "did not finish in time and was abandoned"));
  }
  if (!abandoned.empty()) return false;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->live_workers != 0) return false;
  }
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  return true;
}

}  // namespace inferd
