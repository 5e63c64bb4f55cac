// How the optimised kernels cut an operator into tasks for the kernel thread pool: a fixed number
// of contiguous ranges of work units (pixel groups, output rows), chosen from the amount of work
// alone so that the split, and with it every result, never depends on the thread count.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PARALLEL_TASKS_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PARALLEL_TASKS_H_

#include <algorithm>
#include <cstdint>
#include <utility>

#include "backends/cpu/kernels/optimized/thread_pool.h"

namespace inferd::cpu::kernels::optimized {

// Up to 16 tasks (enough to balance a few threads) of at least kMinTaskWork multiply-adds each
// (tens of microseconds: handing a task to a worker costs a few), never more than `units`.
inline constexpr int64_t kMinTaskWork = int64_t{1} << 18;

inline int64_t TaskCount(int64_t units, int64_t work_per_unit) {
  return std::clamp<int64_t>(units * work_per_unit / kMinTaskWork, 1,
                             std::clamp<int64_t>(units, 1, 16));
}

// Units [first, last) of task `task` out of `tasks`.
inline std::pair<int64_t, int64_t> TaskRange(int64_t units, int64_t tasks, int64_t task) {
  return {units * task / tasks, units * (task + 1) / tasks};
}

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PARALLEL_TASKS_H_
