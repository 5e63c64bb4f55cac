// A fixed set of worker threads the optimised kernels split one operator's work over. One pool per
// model instance (the executor owns it, sized by the model's cpu_threads); a run hands it to the
// kernels through ScopedKernelThreadPool, so kernel signatures and bound steps stay as they are.
// Tasks are claimed one at a time by whichever thread is free (the caller takes part), so a task
// no running thread has started is never left waiting for a slow one; ParallelForRanges
// (parallel_tasks.h) builds range claiming on this. Each output element is computed the same way
// whichever thread computes it, so results are the same bit for bit for any number of threads.
// Threads poll for up to a millisecond before sleeping, so workers stay awake through one
// inference, yielding their core while they poll so that a busy machine's scheduler can run the
// thread they wait for.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_THREAD_POOL_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_THREAD_POOL_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace inferd::cpu::kernels::optimized {

class ThreadPool {
 public:
  // `threads` >= 1 counts the calling thread: threads - 1 workers are started.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls task(context, i) once for every i in [0, tasks), on the workers and the calling thread,
  // and returns when all have finished. Allocates nothing. One Run at a time per pool.
  void Run(int64_t tasks, void (*task)(void* context, int64_t index), void* context);

  template <typename F>
  void ForEach(int64_t tasks, const F& f) {
    Run(
        tasks, [](void* c, int64_t i) { (*static_cast<const F*>(c))(i); }, const_cast<F*>(&f));
  }

 private:
  // Runs the tasks of every generation after `seen` until the pool stops.
  void Work(uint32_t seen);
  // Claims and runs tasks of Run `generation` until none is left or that Run is over.
  void Drain(uint32_t generation);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  // Generation (high 32 bits) and next unclaimed task (low 32 bits). A worker runs a task only by
  // advancing this word from the value it read, so a worker that wakes late, after its generation
  // ended, claims nothing, and a Run never waits for workers that did not take part: it waits for
  // its tasks. Between Runs the index is kClosed.
  std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> completed_{0};  // tasks of the current generation finished
  std::atomic<bool> stopping_{false};
  // The current Run's work; written only while the state is closed, read after an acquire of the
  // open state.
  std::atomic<int64_t> tasks_{0};
  std::atomic<void (*)(void*, int64_t)> task_{nullptr};
  std::atomic<void*> context_{nullptr};
};

// The pool the optimised kernels on this thread use; nullptr (the default) runs them on the
// calling thread alone.
ThreadPool* KernelThreadPool();

// Makes `pool` the calling thread's kernel pool for the scope's lifetime.
class ScopedKernelThreadPool {
 public:
  explicit ScopedKernelThreadPool(ThreadPool* pool);
  ~ScopedKernelThreadPool();
  ScopedKernelThreadPool(const ScopedKernelThreadPool&) = delete;
  ScopedKernelThreadPool& operator=(const ScopedKernelThreadPool&) = delete;

 private:
  ThreadPool* previous_;
};

// Runs f(i) for i in [0, tasks) on the calling thread's kernel pool, or inline without one.
template <typename F>
void ParallelFor(int64_t tasks, const F& f) {
  ThreadPool* pool = KernelThreadPool();
  if (pool == nullptr || pool->threads() == 1 || tasks <= 1) {
    for (int64_t i = 0; i < tasks; ++i) f(i);
    return;
  }
  pool->ForEach(tasks, f);
}

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_THREAD_POOL_H_
