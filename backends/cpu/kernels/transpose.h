// Reference TOSA 1.0 TRANSPOSE: permutes the axes of a tensor of any element type (it only moves
// elements, so one byte-size-generic kernel serves bool, int8/16/32, int48 and fp32).
#ifndef INFERD_BACKENDS_CPU_KERNELS_TRANSPOSE_H_
#define INFERD_BACKENDS_CPU_KERNELS_TRANSPOSE_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Preconditions (graph validator): 0 <= rank <= kMaxRank (rank 0 copies one element); input
// dimensions >= 1; perms is a permutation of [0, rank). Output dimension i is input_dims[perms[i]],
// and output[index] = input[tmp] with tmp[perms[i]] = index[i].
struct TransposeParams {
  int32_t rank = 0;
  int32_t input_dims[kMaxRank] = {};
  int32_t perms[kMaxRank] = {};
};

// element_size is the size in bytes of one element: 1, 2, 4 or 8 (kInvalidArgument otherwise).
// input and output must not overlap.
KernelStatus Transpose(const TransposeParams& params, const void* input, void* output,
                       int32_t element_size);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_TRANSPOSE_H_
