// The kernel thread pool: every task of every Run runs exactly once over many back-to-back Runs
// (the pattern of one inference: an operator after another, workers polling or asleep in between);
// the per-thread scope hands the pool to ParallelFor and restores the previous one; operator work
// split by ParallelForRanges covers every unit once, and units a stalled worker has not started are
// done by the running threads.
#include "backends/cpu/kernels/optimized/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/cpu/kernels/optimized/parallel_tasks.h"

namespace inferd::cpu::kernels::optimized {
namespace {

TEST(ThreadPoolTest, EveryTaskRunsOnceInEveryRun) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    std::vector<std::atomic<int>> counts(64);
    for (int run = 0; run < 2000; ++run) {
      const int64_t tasks = run % 17;  // including 0 and 1
      for (auto& c : counts) c.store(0);
      const auto task = [&](int64_t i) { counts[i].fetch_add(1); };
      pool.ForEach(tasks, task);
      for (int64_t i = 0; i < 64; ++i) {
        ASSERT_EQ(counts[i].load(), i < tasks ? 1 : 0) << threads << " threads, run " << run;
      }
    }
  }
}

TEST(ThreadPoolTest, ScopeSetsAndRestoresTheKernelPool) {
  EXPECT_EQ(KernelThreadPool(), nullptr);
  ThreadPool outer(2), inner(2);
  {
    const ScopedKernelThreadPool a(&outer);
    EXPECT_EQ(KernelThreadPool(), &outer);
    {
      const ScopedKernelThreadPool b(&inner);
      EXPECT_EQ(KernelThreadPool(), &inner);
    }
    EXPECT_EQ(KernelThreadPool(), &outer);
    std::atomic<int> sum{0};
    ParallelFor(10, [&](int64_t i) { sum.fetch_add(static_cast<int>(i)); });
    EXPECT_EQ(sum.load(), 45);
  }
  EXPECT_EQ(KernelThreadPool(), nullptr);
}

TEST(ParallelForRangesTest, EveryUnitRunsOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3}) {
    std::unique_ptr<ThreadPool> pool =
        threads > 1 ? std::make_unique<ThreadPool>(threads) : nullptr;
    const ScopedKernelThreadPool scope(pool.get());
    for (int64_t units : {int64_t{1}, int64_t{7}, int64_t{100}, int64_t{4099}}) {
      // Work per unit from too little to share (one call) to one unit per smallest range.
      for (int64_t work : {int64_t{1}, int64_t{2000}, kMinRangeWork}) {
        std::vector<std::atomic<int>> counts(units);
        ParallelForRanges(units, work, [&](int64_t first, int64_t last) {
          ASSERT_LT(first, last);
          for (int64_t u = first; u < last; ++u) counts[u].fetch_add(1);
        });
        for (int64_t u = 0; u < units; ++u) {
          ASSERT_EQ(counts[u].load(), 1)
              << threads << " threads, " << units << " units, work " << work << ", unit " << u;
        }
      }
    }
  }
}

// The worker stalls (as if descheduled) in its first range until every other unit is done. Only a
// split that leaves unstarted work to whichever thread is running finishes: were any units bound to
// the worker before it started them, the caller could never do them and the wait below would give
// up. The caller holds its first range until the worker has claimed one, so both take part.
TEST(ParallelForRangesTest, RunningThreadsTakeTheWorkAStalledWorkerHasNotStarted) {
  constexpr int64_t kUnits = 1000;
  constexpr auto kGiveUp = std::chrono::seconds(60);  // only reached by a broken split
  ThreadPool pool(2);
  const ScopedKernelThreadPool scope(&pool);
  for (int round = 0; round < 20; ++round) {
    const std::thread::id caller = std::this_thread::get_id();
    std::mutex mutex;
    std::condition_variable changed;
    bool worker_started = false, caller_started = false;
    int64_t worker_units = 0;       // the units of the range the worker stalls in
    int64_t caller_units_done = 0;  // units finished by the caller
    bool caller_waited = true, worker_waited = true;
    std::vector<std::atomic<int>> counts(kUnits);
    ParallelForRanges(kUnits, kMinRangeWork, [&](int64_t first, int64_t last) {
      for (int64_t u = first; u < last; ++u) counts[u].fetch_add(1);
      std::unique_lock<std::mutex> lock(mutex);
      if (std::this_thread::get_id() == caller) {
        if (!caller_started) {
          caller_started = true;
          caller_waited = changed.wait_for(lock, kGiveUp, [&] { return worker_started; });
        }
        caller_units_done += last - first;
        changed.notify_all();
      } else if (!worker_started) {
        worker_started = true;
        worker_units = last - first;
        changed.notify_all();
        worker_waited = changed.wait_for(
            lock, kGiveUp, [&] { return caller_units_done == kUnits - worker_units; });
      }
    });
    ASSERT_TRUE(caller_waited) << "round " << round << ": the worker never claimed a range";
    ASSERT_TRUE(worker_waited) << "round " << round << ": the caller did " << caller_units_done
                               << " of the " << kUnits - worker_units
                               << " units outside the worker's range";
    for (int64_t u = 0; u < kUnits; ++u) ASSERT_EQ(counts[u].load(), 1) << "unit " << u;
  }
}

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
