// Optimised MATMUL for INT8 and FP32 on the conv tile kernels: rows of A are the tile rows, B is
// the packed right-hand side (packed at bind time when it is a constant, else per run into
// scratch).
//   INT8: bit-identical to kernels::MatmulInt8 (depth bounded by kMaxInt8Depth, so never
//   overflows). FP32: per output, fused multiply-adds from 0 along the depth in order.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_MATMUL_OPTIMIZED_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_MATMUL_OPTIMIZED_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/optimized/elementwise_optimized.h"
#include "backends/cpu/kernels/optimized/fused_requantization.h"
#include "backends/cpu/kernels/optimized/packed_matrix.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu::kernels::optimized {

bool MatmulInt8Supported(const MatmulParams& params);

// B ([batch, depth, columns]) packed: INT8 in quads when `kernels` has a quad tile and b_zp is 0,
// else (b - b_zp) in pairs (packed_matrix.h).
PackedInt8Matrix PackMatmulInt8B(const TileKernels& kernels, const MatmulParams& params,
                                 const int8_t* b, int32_t b_zp);
PackedFp32Matrix PackMatmulFp32B(const MatmulParams& params, const float* b);

// packed_b may be null: B (with params.b_zp) is then packed into scratch on every call.
KernelStatus MatmulInt8Optimized(const TileKernels& kernels, const MatmulParams& params,
                                 const PackedInt8Matrix* packed_b, const int8_t* a, const int8_t* b,
                                 int32_t* output, const FusedRequantization* fused = nullptr);

// `bias` (per column, padded with zeros to whole column blocks) is added to every row, once,
// after the product, and `clamp` applied to each group of rows as it is written: a bias ADD and a
// CLAMP fused into the product (requantisation_fusion.h). Either may be null.
void MatmulFp32Optimized(const TileKernels& kernels, const MatmulParams& params,
                         const PackedFp32Matrix* packed_b, const float* a, const float* b,
                         float* output, const float* bias = nullptr,
                         const FusedClampFp32* clamp = nullptr);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_MATMUL_OPTIMIZED_H_
