// Reference TOSA 1.0 logical operators on BOOL tensors: LOGICAL_AND, _OR, _XOR (broadcasting,
// ranks 0 to 6) and LOGICAL_NOT. A BOOL element is one byte; any non-zero byte reads as true and
// results are always 0 or 1.
#ifndef INFERD_BACKENDS_CPU_KERNELS_LOGICAL_H_
#define INFERD_BACKENDS_CPU_KERNELS_LOGICAL_H_

#include <cstdint>

#include "backends/cpu/kernels/broadcast.h"

namespace inferd::cpu::kernels {

enum class LogicalOp : uint8_t { kAnd, kOr, kXor };

void LogicalBinary(LogicalOp op, const BroadcastShape& shape, const uint8_t* input1,
                   const uint8_t* input2, uint8_t* output);

void LogicalNot(const uint8_t* input, uint8_t* output, int64_t count);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_LOGICAL_H_
