#include "backends/cpu/kernels/table.h"

#include <cstdint>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {

void TableInt8(const int8_t* input, int8_t* output, int64_t count, const int8_t* table) {
  for (int64_t i = 0; i < count; ++i) output[i] = table[int32_t{input[i]} + 128];
}

KernelStatus TableInt16(const int16_t* input, int32_t* output, int64_t count,
                        const int16_t* table) {
  bool unpredictable = false;
  for (int64_t i = 0; i < count; ++i) output[i] = LookupInt16(table, input[i], unpredictable);
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

}  // namespace inferd::cpu::kernels
