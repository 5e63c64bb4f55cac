// Reference TOSA 1.0 RESHAPE: row-major order is unchanged by a reshape, so the kernel is a copy
// of the bytes (or nothing when the executor lets output alias input).
#ifndef INFERD_BACKENDS_CPU_KERNELS_RESHAPE_H_
#define INFERD_BACKENDS_CPU_KERNELS_RESHAPE_H_

#include <cstdint>

namespace inferd::cpu::kernels {

// Precondition (graph validator): input and output hold the same number of elements, byte_count
// bytes in all; the buffers are either identical or do not overlap.
void Reshape(const void* input, void* output, int64_t byte_count);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_RESHAPE_H_
