// Optimised elementwise kernels: ADD, SUB (INT32 with the overflow check, FP32), MUL (FP32),
// MAXIMUM / MINIMUM (INT32, FP32 in both NaN modes) under TOSA broadcasting, and CLAMP (INT8,
// INT16, FP32). Rows whose operands are contiguous or one repeated element run as plain loops that
// the compiler vectorises (AVX2 clones on x86-64, NEON on aarch64). Each element is the same single
// operation as in the reference kernels, so the results are bit-identical to them.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_ELEMENTWISE_OPTIMIZED_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_ELEMENTWISE_OPTIMIZED_H_

#include <cstdint>

#include "backends/cpu/kernels/broadcast.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels::optimized {

enum class ElementwiseOp : uint8_t { kAdd, kSub, kMul, kMaximum, kMinimum };

// kAdd, kSub (kUnpredictable when a result overflows int32, the element then wrapped, as the
// reference), kMaximum, kMinimum. The output must not overlap an input.
KernelStatus ElementwiseInt32(ElementwiseOp op, const BroadcastShape& shape, const int32_t* input1,
                              const int32_t* input2, int32_t* output);
// Every op; nan_mode matters to kMaximum / kMinimum only.
void ElementwiseFp32(ElementwiseOp op, NanMode nan_mode, const BroadcastShape& shape,
                     const float* input1, const float* input2, float* output);

void ClampInt8(const int8_t* input, int8_t* output, int64_t count, int8_t min_val, int8_t max_val);
void ClampInt16(const int16_t* input, int16_t* output, int64_t count, int16_t min_val,
                int16_t max_val);
void ClampFp32(const float* input, float* output, int64_t count, float min_val, float max_val,
               NanMode nan_mode);

// A CLAMP that an FP32 convolution applies to its output rows as it writes them, while they are in
// cache; the same elements as ClampFp32. Bounds must not be NaN.
struct FusedClampFp32 {
  float min_val = 0.0f;
  float max_val = 0.0f;
  NanMode nan_mode = NanMode::kPropagate;
};
void ClampFp32InPlace(float* data, int64_t count, const FusedClampFp32& clamp);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_ELEMENTWISE_OPTIMIZED_H_
