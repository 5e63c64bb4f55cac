// Int8 values with their zero point taken off, widened to the int16 the INT8 tile kernels read:
// the rows a convolution gathers (im2col) and the rows of a MATMUL's A. A vectorised loop (with an
// AVX2 clone on x86-64): done per element it took as long as a third of the tile kernels' time in
// MobileNetV2's shallow 1x1 convolutions.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CENTRED_INT8_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CENTRED_INT8_H_

#include <cstdint>

namespace inferd::cpu::kernels::optimized {

// dst[i] = src[i] + 128 as uint8 for i < count: the unsigned operand of AVX-512 VNNI's u8 x s8 dot
// product (Int8QuadTileFn), whose tile subtracts (128 + zero point) x the weights' sum once.
void OffsetInt8(const int8_t* src, int64_t count, uint8_t* dst);

// dst[i] = src[i] - zero_point for i < count (exact: the result fits int16).
void CentreInt8(const int8_t* src, int64_t count, int16_t zero_point, int16_t* dst);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CENTRED_INT8_H_
