#include "backends/cpu/kernels/optimized/thread_pool.h"

#include <chrono>

namespace inferd::cpu::kernels::optimized {
namespace {

thread_local ThreadPool* current_pool = nullptr;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long a thread polls before sleeping on a condition variable. Waking a sleeping thread costs
// from tens of microseconds to over 100 on a virtual machine, as much as half an operator, while an
// inference's operators follow each other within microseconds; so workers stay awake through an
// inference and sleep only after it (at most this long of polling per inference).
constexpr std::chrono::microseconds kSpinTime{1000};
// After this long of polling a thread yields its core on every poll. On a machine with more
// runnable threads than cores, the thread being waited for (a worker that holds a task, or the
// caller with the next operator) may be queued behind the poller on the same core; busy-waiting
// would then keep it off the core for a whole time slice, making two threads slower than one.
constexpr std::chrono::microseconds kYieldAfter{20};

// Polls `ready` for up to kSpinTime, yielding after kYieldAfter; true when it became true.
template <typename Ready>
bool SpinUntil(const Ready& ready) {
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    for (int i = 0; i < 64; ++i) {
      if (ready()) return true;
      CpuRelax();
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed > kSpinTime) return false;
    if (elapsed > kYieldAfter) std::this_thread::yield();
  }
}

constexpr uint64_t kClosed = 0xffffffffu;

uint32_t GenerationOf(uint64_t state) { return static_cast<uint32_t>(state >> 32); }

}  // namespace

ThreadPool::ThreadPool(int threads) {
  state_.store(kClosed);
  // The generation a worker waits to change is read here, not when its thread starts: a thread
  // that started after the first Run had begun would otherwise sit that Run out.
  const uint32_t initial = GenerationOf(kClosed);
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, initial] { Work(initial); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::Drain(uint32_t generation) {
  uint64_t state = state_.load(std::memory_order_acquire);
  while (GenerationOf(state) == generation) {
    const uint64_t index = state & 0xffffffffu;
    const int64_t tasks = tasks_.load(std::memory_order_relaxed);
    if (index == kClosed || static_cast<int64_t>(index) >= tasks) return;
    // Read before the claim; used only if the claim shows the generation was still current.
    void (*const task)(void*, int64_t) = task_.load(std::memory_order_relaxed);
    void* const context = context_.load(std::memory_order_relaxed);
    if (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
      continue;  // `state` now holds the current value
    }
    task(context, static_cast<int64_t>(index));
    if (completed_.fetch_add(1, std::memory_order_acq_rel) + 1 == tasks) {
      // Under the lock, so a Run between its check of completed_ and its wait cannot miss this.
      std::lock_guard<std::mutex> lock(mutex_);
      finished_.notify_one();
    }
    state = state_.load(std::memory_order_acquire);
  }
}

void ThreadPool::Work(uint32_t seen) {
  while (true) {
    const auto changed = [&] {
      const uint64_t state = state_.load(std::memory_order_acquire);
      return stopping_.load(std::memory_order_acquire) ||
             (GenerationOf(state) != seen && (state & 0xffffffffu) != kClosed);
    };
    if (!SpinUntil(changed)) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, changed);
    }
    if (stopping_.load()) return;
    seen = GenerationOf(state_.load(std::memory_order_acquire));
    Drain(seen);
  }
}

void ThreadPool::Run(int64_t tasks, void (*task)(void*, int64_t), void* context) {
  // The state is closed here: no worker claims while the work is replaced.
  const uint32_t generation = GenerationOf(state_.load()) + 1;
  tasks_.store(tasks, std::memory_order_relaxed);
  task_.store(task, std::memory_order_relaxed);
  context_.store(context, std::memory_order_relaxed);
  completed_.store(0, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    state_.store(static_cast<uint64_t>(generation) << 32, std::memory_order_release);
  }
  wake_.notify_all();
  Drain(generation);
  const auto done = [&] { return completed_.load(std::memory_order_acquire) == tasks; };
  if (!SpinUntil(done)) {
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, done);
  }
  // Closed again before returning, so a worker still looking at this generation claims nothing.
  state_.store((static_cast<uint64_t>(generation) << 32) | kClosed, std::memory_order_release);
}

ThreadPool* KernelThreadPool() { return current_pool; }

ScopedKernelThreadPool::ScopedKernelThreadPool(ThreadPool* pool) : previous_(current_pool) {
  current_pool = pool;
}

ScopedKernelThreadPool::~ScopedKernelThreadPool() { current_pool = previous_; }

}  // namespace inferd::cpu::kernels::optimized
