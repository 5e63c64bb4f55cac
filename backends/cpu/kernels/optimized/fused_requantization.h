// A RESCALE (and a following CLAMP) folded into an optimised INT8 convolution or matrix product:
// the kernel requantises each group of accumulator rows while they are in cache, instead of
// writing the INT32 tensor for a separate RESCALE to read back. Bit-exact with the separate
// operators because the same spans (rescale_kernels.h) compute it.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_FUSED_REQUANTIZATION_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_FUSED_REQUANTIZATION_H_

#include <cstdint>

#include "backends/cpu/kernels/optimized/rescale_kernels.h"

namespace inferd::cpu::kernels::optimized {

struct FusedRequantization {
  const RescaleKernels* kernels = nullptr;
  RescaleSpanParams span;    // from PrepareRescaleSpan<int32_t, int8_t>, the CLAMP folded in
  int8_t* output = nullptr;  // the CLAMP's (or RESCALE's) output tensor
};

// Requantises `rows` rows of `channels` accumulators into output rows first_row... True when a
// REQUIRE of the RESCALE failed.
bool RequantizeRows(const FusedRequantization& fused, const int32_t* accumulators,
                    int64_t first_row, int64_t rows, int64_t channels);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_FUSED_REQUANTIZATION_H_
