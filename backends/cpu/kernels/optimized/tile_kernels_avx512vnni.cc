// The tile kernels for x86-64 with AVX-512 VNNI: the AVX2 kernels with vpmaddwd + vpaddd fused into
// one vpdpwssd on 256-bit registers (AVX-512 VL). Same results bit for bit.
#include "backends/cpu/kernels/optimized/tile_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace inferd::cpu::kernels::optimized {

#define INFERD_TILE_TARGET "avx2,fma,avx512f,avx512vl,avx512vnni"
#define INFERD_TILE_VNNI 1
#define INFERD_TILE_TABLE_NAME Avx512VnniTileKernels
#define INFERD_TILE_NAME "avx512vnni"
#include "backends/cpu/kernels/optimized/tile_kernels_x86.inc"

}  // namespace inferd::cpu::kernels::optimized
#endif  // __x86_64__
