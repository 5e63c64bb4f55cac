// Optimised CONV2D for INT8 and FP32: each group of kTileRows output pixels gathers its receptive
// fields into rows once (im2col by tiles), then every block of kTileCols output channels is one
// tile-kernel call against weights packed at bind time.
//   INT8: bit-identical to kernels::Conv2dInt8, including which inputs report kUnpredictable.
//   FP32: per output, fused multiply-adds from 0 in the reference's order (ky, kx, ic), padded taps
//         contributing 0 * weight, then + bias; within the TOSA dot-product error bound.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CONV2D_OPTIMIZED_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CONV2D_OPTIMIZED_H_

#include <cstdint>

#include "backends/cpu/kernels/conv2d.h"
#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/optimized/elementwise_optimized.h"
#include "backends/cpu/kernels/optimized/fused_requantization.h"
#include "backends/cpu/kernels/optimized/packed_matrix.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu::kernels::optimized {

// Whether Conv2dInt8Optimized handles `params` (the depth kh * kw * ic is within kMaxInt8Depth).
bool Conv2dInt8Supported(const Conv2dParams& params);

// OHWI weights as a [kh*kw*ic, oc] matrix: in quads when `kernels` has a quad tile and weight_zp
// is 0, else (weight - weight_zp) in pairs (packed_matrix.h). Conv2dInt8Optimized takes either.
PackedInt8Matrix PackConv2dInt8Weights(const TileKernels& kernels, const Conv2dParams& params,
                                       const int8_t* weight, int32_t weight_zp);
PackedFp32Matrix PackConv2dFp32Weights(const Conv2dParams& params, const float* weight);

// params.input_zp is used; params.weight_zp must be the one the weights were packed with. With
// `fused`, the accumulators are requantised into fused->output and `output` is not written.
KernelStatus Conv2dInt8Optimized(const TileKernels& kernels, const Conv2dParams& params,
                                 const PackedInt8Matrix& weights, const int8_t* input,
                                 const int32_t* bias, int32_t* output,
                                 const FusedRequantization* fused = nullptr);

// `clamp`, when given, is applied to each block of output rows right after it is written (a
// CLAMP fused into the convolution).
void Conv2dFp32Optimized(const TileKernels& kernels, const Conv2dParams& params,
                         const PackedFp32Matrix& weights, const float* input, const float* bias,
                         float* output, const FusedClampFp32* clamp = nullptr);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CONV2D_OPTIMIZED_H_
