// Optimised TRANSPOSE_CONV2D for INT8 and FP32, as a matrix product and a scatter: one input row's
// pixels times the weights (arranged [input_channels, kernel_height * kernel_width *
// output_channels]) give each pixel's contribution to a kernel-sized patch of output pixels, which
// is then added into place over the bias.
//   INT8: bit-identical to kernels::TransposeConv2dInt8 whenever no true result leaves int32
//   (TransposeConv2dInt8Supported bounds the weights' share; the bias is checked per run).
//   FP32: each contribution is a dot product over the input channels, added in (ky, kx) order
//   over the bias: within the specification's dot-product error bound, not the reference's bits.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_TRANSPOSE_CONV2D_OPTIMIZED_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_TRANSPOSE_CONV2D_OPTIMIZED_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/optimized/packed_matrix.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "backends/cpu/kernels/transpose_conv2d.h"

namespace inferd::cpu::kernels::optimized {

// True when every output's sum of (input - input_zp) * (weight - weight_zp) terms stays below 2^31
// in magnitude with room for a bias, so int32 arithmetic gives the exact result.
bool TransposeConv2dInt8Supported(const TransposeConv2dParams& params);

// Weights [output_channels, kh, kw, input_channels] packed as the product's right-hand side, as
// PackMatmulInt8B packs it for `kernels` (INT8).
PackedInt8Matrix PackTransposeConv2dInt8Weights(const TileKernels& kernels,
                                                const TransposeConv2dParams& params,
                                                const int8_t* weight, int32_t weight_zp);
PackedFp32Matrix PackTransposeConv2dFp32Weights(const TransposeConv2dParams& params,
                                                const float* weight);

// Elements of the scratch buffer the kernels below need (one input row's contributions).
int64_t TransposeConv2dScratchElements(const TransposeConv2dParams& params);

// params.input_zp is applied here; the weight zero point was applied when packing. Returns
// kUnpredictable, leaving the output unspecified, when a bias is so large that a result could
// leave int32: the caller then runs the reference kernel, which decides.
KernelStatus TransposeConv2dInt8Optimized(const TileKernels& kernels,
                                          const TransposeConv2dParams& params,
                                          const PackedInt8Matrix& weights, const int8_t* input,
                                          const int32_t* bias, int32_t* scratch, int32_t* output);
void TransposeConv2dFp32Optimized(const TileKernels& kernels, const TransposeConv2dParams& params,
                                  const PackedFp32Matrix& weights, const float* input,
                                  const float* bias, float* scratch, float* output);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_TRANSPOSE_CONV2D_OPTIMIZED_H_
