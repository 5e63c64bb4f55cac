// MAX_POOL2D and AVG_POOL2D (INT8, INT16 max, FP32) with the channel loop innermost, so that it
// runs over contiguous NHWC memory in vector registers; results are bit-identical to the reference
// kernels in kernels/pooling.h (same comparisons, same summation order, same scaling).
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_POOLING_OPTIMIZED_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_POOLING_OPTIMIZED_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/pooling.h"

namespace inferd::cpu::kernels::optimized {

void MaxPool2dInt8(const Pool2dParams& params, const int8_t* input, int8_t* output);
void MaxPool2dInt16(const Pool2dParams& params, const int16_t* input, int16_t* output);
void MaxPool2dFp32(const Pool2dParams& params, const float* input, float* output, NanMode nan_mode);

// True when AvgPool2dInt8 below can take `params`: its window sums, kept in int32, cannot overflow
// (the reference sums in int64 and reports kUnpredictable beyond int32).
bool AvgPool2dInt8Supported(const Pool2dParams& params);
KernelStatus AvgPool2dInt8(const Pool2dParams& params, const int8_t* input, int8_t* output);
void AvgPool2dFp32(const Pool2dParams& params, const float* input, float* output);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_POOLING_OPTIMIZED_H_
