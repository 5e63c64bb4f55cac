// Reference TOSA 1.0 SELECT: output = input1 ? input2 : input3 elementwise, with all three inputs
// broadcast to the output shape (ranks 0 to 6). The value inputs are copied bit for bit, so one
// kernel per element size serves every element type.
#ifndef INFERD_BACKENDS_CPU_KERNELS_SELECT_H_
#define INFERD_BACKENDS_CPU_KERNELS_SELECT_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Preconditions (graph validator): 0 <= rank <= kMaxRank, every input dimension is 1 or the
// output's.
struct SelectShape {
  int32_t rank = 0;
  int32_t output_dims[kMaxRank] = {};
  int32_t condition_dims[kMaxRank] = {};
  int32_t on_true_dims[kMaxRank] = {};
  int32_t on_false_dims[kMaxRank] = {};
};

// condition: BOOL bytes (non-zero is true). element_size is 1, 2 or 4; other sizes write nothing
// and return kInvalidArgument.
KernelStatus Select(const SelectShape& shape, const uint8_t* condition, const void* on_true,
                    const void* on_false, void* output, int32_t element_size);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_SELECT_H_
