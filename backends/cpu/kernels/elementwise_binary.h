// Reference TOSA 1.0 ADD, SUB and MUL with TOSA broadcasting (ranks 0 to 6). Integer results are
// bit-exact with the specification.
#ifndef INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_BINARY_H_
#define INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_BINARY_H_

#include <cstdint>

#include "backends/cpu/kernels/broadcast.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// ADD / SUB on int32: kUnpredictable when a result overflows int32 (a REQUIRE of the spec); the
// element then holds the wrapped value.
KernelStatus AddInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                      int32_t* output);
KernelStatus SubInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                      int32_t* output);
void AddFp32(const BroadcastShape& shape, const float* input1, const float* input2, float* output);
void SubFp32(const BroadcastShape& shape, const float* input1, const float* input2, float* output);

// MUL of int8 or int16 inputs into int32 (never overflows). The specification requires shift == 0
// for these types; the caller checks that.
void MulInt8(const BroadcastShape& shape, const int8_t* input1, const int8_t* input2,
             int32_t* output);
void MulInt16(const BroadcastShape& shape, const int16_t* input1, const int16_t* input2,
              int32_t* output);

// MUL of int32: with shift == 0 the low 32 bits of the product; with 1 <= shift <= 63 the 64-bit
// product rounded (half up) right by shift, kUnpredictable if that does not fit int32 or if shift
// is outside [0, 63].
KernelStatus MulInt32(const BroadcastShape& shape, const int32_t* input1, const int32_t* input2,
                      int32_t shift, int32_t* output);
void MulFp32(const BroadcastShape& shape, const float* input1, const float* input2, float* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_BINARY_H_
