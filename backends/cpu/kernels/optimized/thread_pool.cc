#include "backends/cpu/kernels/optimized/thread_pool.h"

namespace inferd::cpu::kernels::optimized {
namespace {

thread_local ThreadPool* current_pool = nullptr;

// Polls before sleeping: a condition-variable wake-up costs tens of microseconds, as much as a
// small operator, while operators follow each other within microseconds. About 0.1 ms of polling.
constexpr int kSpinIterations = 2000;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
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
    bool changed = false;
    for (int spin = 0; spin < kSpinIterations && !changed; ++spin) {
      changed = stopping_.load(std::memory_order_acquire) ||
                generation_.load(std::memory_order_acquire) != seen;
      if (!changed) CpuRelax();
    }
    if (!changed) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
    }
    if (stopping_.load()) return;
    seen = generation_.load(std::memory_order_acquire);
    Drain();
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Under the lock, so a Run between its check of busy_ and its wait cannot miss this.
      std::lock_guard<std::mutex> lock(mutex_);
      finished_.notify_one();
    }
  }
}

void ThreadPool::Run(int64_t tasks, void (*task)(void*, int64_t), void* context) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_ = tasks;
    task_ = task;
    context_ = context;
    next_.store(0);
    busy_.store(static_cast<int>(workers_.size()));
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  Drain();
  // Every worker must have left Drain before the next Run changes the task.
  for (int spin = 0; spin < kSpinIterations; ++spin) {
    if (busy_.load(std::memory_order_acquire) == 0) return;
    CpuRelax();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [&] { return busy_.load() == 0; });
}

ThreadPool* KernelThreadPool() { return current_pool; }

ScopedKernelThreadPool::ScopedKernelThreadPool(ThreadPool* pool) : previous_(current_pool) {
  current_pool = pool;
}

ScopedKernelThreadPool::~ScopedKernelThreadPool() { current_pool = previous_; }

}  // namespace inferd::cpu::kernels::optimized
