#include "backends/cpu/kernels/elementwise_binary.h"

#include <cstdint>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

KernelStatus StatusOf(bool unpredictable) {
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

}  // namespace

KernelStatus AddInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                      int32_t* output) {
  bool unpredictable = false;
  ForEachBroadcast(shape, input1, input2, output, [&unpredictable](int32_t a, int32_t b) {
    const int64_t c = int64_t{a} + b;
    if (!InRange(c, INT32_MIN, INT32_MAX)) unpredictable = true;
    return static_cast<int32_t>(c);
  });
  return StatusOf(unpredictable);
}

KernelStatus SubInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                      int32_t* output) {
  bool unpredictable = false;
  ForEachBroadcast(shape, input1, input2, output, [&unpredictable](int32_t a, int32_t b) {
    const int64_t c = int64_t{a} - b;
    if (!InRange(c, INT32_MIN, INT32_MAX)) unpredictable = true;
    return static_cast<int32_t>(c);
  });
  return StatusOf(unpredictable);
}

void AddFp32(const BroadcastShape& shape, const float* input1, const float* input2, float* output) {
  ForEachBroadcast(shape, input1, input2, output, [](float a, float b) { return a + b; });
}

void SubFp32(const BroadcastShape& shape, const float* input1, const float* input2, float* output) {
  ForEachBroadcast(shape, input1, input2, output, [](float a, float b) { return a - b; });
}

void MulInt8(const BroadcastShape& shape, const int8_t* input1, const int8_t* input2,
             int32_t* output) {
  ForEachBroadcast(shape, input1, input2, output,
                   [](int8_t a, int8_t b) { return int32_t{a} * int32_t{b}; });
}

void MulInt16(const BroadcastShape& shape, const int16_t* input1, const int16_t* input2,
              int32_t* output) {
  ForEachBroadcast(shape, input1, input2, output,
                   [](int16_t a, int16_t b) { return int32_t{a} * int32_t{b}; });
}

KernelStatus MulInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                      int32_t shift, int32_t* output) {
  if (shift < 0 || shift > 63) return KernelStatus::kUnpredictable;
  bool unpredictable = false;
  if (shift == 0) {
    // The low 32 bits of the product, computed without signed overflow.
    ForEachBroadcast(shape, input1, input2, output, [](int32_t a, int32_t b) {
      return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
    });
    return KernelStatus::kOk;
  }
  ForEachBroadcast(shape, input1, input2, output, [shift, &unpredictable](int32_t a, int32_t b) {
    const int64_t product = int64_t{a} * b;
    // (product + 2^(shift-1)) >> shift, rewritten as floor(product / 2^shift) plus the bit below
    // it, so that shift == 63 with product == 2^62 does not overflow int64_t.
    const int64_t result = (product >> shift) + ((product >> (shift - 1)) & 1);
    if (!InRange(result, INT32_MIN, INT32_MAX)) unpredictable = true;
    return static_cast<int32_t>(result);
  });
  return StatusOf(unpredictable);
}

void MulFp32(const BroadcastShape& shape, const float* input1, const float* input2, float* output) {
  ForEachBroadcast(shape, input1, input2, output, [](float a, float b) { return a * b; });
}

}  // namespace inferd::cpu::kernels
