// Reference TOSA 1.0 GATHER and SCATTER: move [C]-element rows of a [N, K, C] tensor selected by
// int32 indices. Only elements move, so both are generic over the element's byte size.
#ifndef INFERD_BACKENDS_CPU_KERNELS_SCATTER_GATHER_H_
#define INFERD_BACKENDS_CPU_KERNELS_SCATTER_GATHER_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// values [batch, values_count, channels], indices [batch, index_count], the gathered or scattered
// rows [batch, index_count, channels]. All >= 1.
struct ScatterGatherParams {
  int32_t batch = 1;
  int32_t values_count = 1;  // K
  int32_t index_count = 1;   // W
  int32_t channels = 1;      // C
};

// output[n, w, :] = values[n, indices[n, w], :]. kUnpredictable when an index is outside
// [0, values_count) (a REQUIRE); such rows are left unwritten. element_size is 1, 2, 4 or 8
// (kInvalidArgument otherwise).
KernelStatus Gather(const ScatterGatherParams& params, const void* values, const int32_t* indices,
                    void* output, int32_t element_size);

// values_out = values_in, then values_out[n, indices[n, w], :] = input[n, w, :].
// kUnpredictable when an index is outside [0, values_count) or repeats within a batch (the
// specification requires every output row to be written at most once).
KernelStatus Scatter(const ScatterGatherParams& params, const void* values_in,
                     const int32_t* indices, const void* input, void* values_out,
                     int32_t element_size);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_SCATTER_GATHER_H_
