#include "backends/cpu/kernels/logical.h"

#include <cstdint>

namespace inferd::cpu::kernels {

void LogicalBinary(LogicalOp op, const BroadcastShape& shape, const uint8_t* input1,
                   const uint8_t* input2, uint8_t* output) {
  switch (op) {
    case LogicalOp::kAnd:
      ForEachBroadcast(shape, input1, input2, output,
                       [](uint8_t a, uint8_t b) { return static_cast<uint8_t>(a != 0 && b != 0); });
      return;
    case LogicalOp::kOr:
      ForEachBroadcast(shape, input1, input2, output,
                       [](uint8_t a, uint8_t b) { return static_cast<uint8_t>(a != 0 || b != 0); });
      return;
    case LogicalOp::kXor:
      ForEachBroadcast(shape, input1, input2, output, [](uint8_t a, uint8_t b) {
        return static_cast<uint8_t>((a != 0) != (b != 0));
      });
      return;
  }
}

void LogicalNot(const uint8_t* input, uint8_t* output, int64_t count) {
  for (int64_t i = 0; i < count; ++i) output[i] = static_cast<uint8_t>(input[i] == 0);
}

}  // namespace inferd::cpu::kernels
