// How the optimised kernels split an operator over the kernel thread pool: its work units (pixel
// groups, output rows) are handed out as contiguous ranges while the operator runs. Each unit is
// computed the same way whichever range it falls in, so the split (which depends on timing and the
// thread count) never changes a result.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PARALLEL_TASKS_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PARALLEL_TASKS_H_

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "backends/cpu/kernels/optimized/thread_pool.h"

namespace inferd::cpu::kernels::optimized {

// An operator of less than twice this many multiply-adds (a few microseconds) runs on the calling
// thread alone: waking a worker would cost more than it saves.
inline constexpr int64_t kMinParallelWork = int64_t{1} << 18;
// The smallest range handed out, in multiply-adds (about two microseconds): small enough that
// threads finish an operator together, large enough that claiming (one atomic operation on a
// shared cache line) stays a small fraction of the work.
inline constexpr int64_t kMinRangeWork = int64_t{1} << 16;

// Claims the ranges of one operator: each claim takes a quarter of the remaining units per
// thread, at least `grain`, so ranges shrink as the operator nears its end.
class RangeClaimer {
 public:
  RangeClaimer(int64_t units, int64_t grain, int threads)
      : units_(units), grain_(std::max<int64_t>(grain, 1)), divisor_(4 * int64_t{threads}) {}

  // The next unclaimed range [*first, *last); false when none is left.
  bool Claim(int64_t* first, int64_t* last) {
    int64_t start = next_.load(std::memory_order_relaxed);
    while (start < units_) {
      const int64_t end = std::min(units_, start + std::max(grain_, (units_ - start) / divisor_));
      if (next_.compare_exchange_weak(start, end, std::memory_order_relaxed)) {
        *first = start;
        *last = end;
        return true;
      }
    }
    return false;
  }

 private:
  const int64_t units_;
  const int64_t grain_;
  const int64_t divisor_;
  std::atomic<int64_t> next_{0};
};

// Calls f(first, last) on disjoint ranges covering units [0, units), on the calling thread's
// kernel pool. Ranges are claimed when a thread is ready to start them (finer-grained claiming):
// every thread that takes part claims its next range when it finishes one, so work a slow or
// descheduled worker has not started is done by the threads that are running, and a worker that
// wakes after all ranges are gone costs the operator nothing. f must compute each unit the same
// way whichever range it is in. `work_per_unit` (multiply-adds) sets the smallest range.
template <typename F>
void ParallelForRanges(int64_t units, int64_t work_per_unit, const F& f) {
  if (units <= 0) return;
  ThreadPool* pool = KernelThreadPool();
  work_per_unit = std::max<int64_t>(work_per_unit, 1);
  if (pool == nullptr || pool->threads() == 1 || units == 1 ||
      units * work_per_unit < 2 * kMinParallelWork) {
    f(int64_t{0}, units);
    return;
  }
  RangeClaimer claimer(units, (kMinRangeWork + work_per_unit - 1) / work_per_unit, pool->threads());
  // One pool task per thread: each task claims ranges until none is left.
  pool->ForEach(pool->threads(), [&](int64_t) {
    int64_t first, last;
    while (claimer.Claim(&first, &last)) f(first, last);
  });
}

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PARALLEL_TASKS_H_
