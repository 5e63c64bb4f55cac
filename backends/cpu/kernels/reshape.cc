#include "backends/cpu/kernels/reshape.h"

#include <cstddef>
#include <cstdint>

namespace inferd::cpu::kernels {

void Reshape(const void* input, void* output, int64_t byte_count) {
  if (input == output || byte_count <= 0) return;
  // The builtin keeps the kernel free of <cstring> for freestanding builds; it still lowers to the
  // platform's memcpy.
  __builtin_memcpy(output, input, static_cast<size_t>(byte_count));
}

}  // namespace inferd::cpu::kernels
