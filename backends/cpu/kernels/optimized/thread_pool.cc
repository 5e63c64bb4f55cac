#include "backends/cpu/kernels/optimized/thread_pool.h"

namespace inferd::cpu::kernels::optimized {
namespace {

thread_local ThreadPool* current_pool = nullptr;

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::Drain() {
  for (int64_t i = next_.fetch_add(1); i < tasks_; i = next_.fetch_add(1)) task_(context_, i);
}

void ThreadPool::Work() {
  uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    Drain();
    std::lock_guard<std::mutex> lock(mutex_);
    if (--busy_ == 0) finished_.notify_one();
  }
}

void ThreadPool::Run(int64_t tasks, void (*task)(void*, int64_t), void* context) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_ = tasks;
    task_ = task;
    context_ = context;
    next_.store(0);
    busy_ = static_cast<int>(workers_.size());
    ++generation_;
  }
  wake_.notify_all();
  Drain();
  // Every worker must have left Drain before the next Run changes the task.
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [&] { return busy_ == 0; });
}

ThreadPool* KernelThreadPool() { return current_pool; }

ScopedKernelThreadPool::ScopedKernelThreadPool(ThreadPool* pool) : previous_(current_pool) {
  current_pool = pool;
}

ScopedKernelThreadPool::~ScopedKernelThreadPool() { current_pool = previous_; }

}  // namespace inferd::cpu::kernels::optimized
