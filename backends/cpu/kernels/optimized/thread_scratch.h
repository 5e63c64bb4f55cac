// Per-thread working memory for the optimised kernels (gathered input rows, padded biases, matrices
// packed at run time). It grows only when a larger size is asked for, so after the first inference
// on a thread no kernel allocates.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_THREAD_SCRATCH_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_THREAD_SCRATCH_H_

#include <cstddef>

namespace inferd::cpu::kernels::optimized {

// At least `bytes` bytes, 64-byte aligned, valid until the next call on the same thread.
void* ThreadScratch(size_t bytes);

// Rounds a byte count up so the next piece carved out of a scratch buffer stays 64-byte aligned.
constexpr size_t ScratchAlign(size_t bytes) { return (bytes + 63) & ~size_t{63}; }

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_THREAD_SCRATCH_H_
