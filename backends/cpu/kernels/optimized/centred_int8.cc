#include "backends/cpu/kernels/optimized/centred_int8.h"

#include "backends/cpu/kernels/optimized/vector_clones.h"

namespace inferd::cpu::kernels::optimized {

INFERD_VECTOR_CLONES void CentreInt8(const int8_t* src, int64_t count, int16_t zero_point,
                                     int16_t* dst) {
  for (int64_t i = 0; i < count; ++i) dst[i] = static_cast<int16_t>(src[i] - zero_point);
}

INFERD_VECTOR_CLONES void OffsetInt8(const int8_t* src, int64_t count, uint8_t* dst) {
  for (int64_t i = 0; i < count; ++i) dst[i] = static_cast<uint8_t>(src[i] ^ 0x80);
}

}  // namespace inferd::cpu::kernels::optimized
