// The tile kernels for x86-64 AVX2 + FMA (vpmaddwd for INT8, vfmadd for FP32). Each function
// carries a target attribute, so this file compiles with the project's baseline flags and runs only
// where SelectTileKernels() found the instructions.
#include "backends/cpu/kernels/optimized/tile_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace inferd::cpu::kernels::optimized {

#define INFERD_TILE_TARGET "avx2,fma"
#define INFERD_TILE_VNNI 0
#define INFERD_TILE_TABLE_NAME Avx2TileKernels
#define INFERD_TILE_NAME "avx2"
#include "backends/cpu/kernels/optimized/tile_kernels_x86.inc"

}  // namespace inferd::cpu::kernels::optimized
#endif  // __x86_64__
