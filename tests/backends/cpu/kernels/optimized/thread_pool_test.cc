// The kernel thread pool: every task of every Run runs exactly once over many back-to-back Runs
// (the pattern of one inference: an operator after another, workers polling or asleep in between);
// the per-thread scope hands the pool to ParallelFor and restores the previous one.
#include "backends/cpu/kernels/optimized/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <vector>

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

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
