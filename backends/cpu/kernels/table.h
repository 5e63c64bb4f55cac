// Reference TOSA 1.0 TABLE: a 256-entry lookup for int8 and the 513-entry interpolating lookup
// (apply_lookup_s) for int16. Bit-exact with the specification.
#ifndef INFERD_BACKENDS_CPU_KERNELS_TABLE_H_
#define INFERD_BACKENDS_CPU_KERNELS_TABLE_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

inline constexpr int32_t kTableInt8Size = 256;
inline constexpr int32_t kTableInt16Size = 513;

// output[i] = table[input[i] + 128]. table holds kTableInt8Size entries; input and output may be
// the same buffer.
void TableInt8(const int8_t* input, int8_t* output, int64_t count, const int8_t* table);

// output[i] = apply_lookup_s(table, input[i]), a 23-bit interpolated value. table holds
// kTableInt16Size entries. kUnpredictable when two neighbouring entries used differ by more than
// an int16 can hold.
KernelStatus TableInt16(const int16_t* input, int32_t* output, int64_t count, const int16_t* table);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_TABLE_H_
