// Optimised DEPTHWISE_CONV2D (channel multiplier 1, the form MobileNet-style networks use) for
// INT8 and FP32: per output pixel, the valid taps in (ky, kx) order, vectorised across channels.
//   INT8: bit-identical to kernels::DepthwiseConv2dInt8, including kUnpredictable reports.
//   FP32: per output, fused multiply-adds from 0 over the valid taps in the reference's order, then
//         + bias; within the TOSA dot-product error bound.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_DEPTHWISE_CONV2D_OPTIMIZED_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_DEPTHWISE_CONV2D_OPTIMIZED_H_

#include <cstdint>
#include <vector>

#include "backends/cpu/kernels/depthwise_conv2d.h"
#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/optimized/elementwise_optimized.h"
#include "backends/cpu/kernels/optimized/fused_requantization.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu::kernels::optimized {

// Most taps (kernel_height * kernel_width) the optimised path takes; tap pointers live on the
// stack.
inline constexpr int kMaxDepthwiseTaps = 64;

// Multiplier 1 and at most kMaxDepthwiseTaps taps. (FP32 has the same condition.)
bool DepthwiseConv2dSupported(const DepthwiseConv2dParams& params);

// HWC weights (multiplier 1) as int16 (weight - weight_zp), [taps][channels].
std::vector<int16_t> PackDepthwiseInt8Weights(const DepthwiseConv2dParams& params,
                                              const int8_t* weight, int32_t weight_zp);

// `weights` as PackDepthwiseInt8Weights made them; params.input_zp is used. With `fused`, the
// accumulators are requantised into fused->output and `output` is not written.
KernelStatus DepthwiseConv2dInt8Optimized(const TileKernels& kernels,
                                          const DepthwiseConv2dParams& params,
                                          const int16_t* weights, const int8_t* input,
                                          const int32_t* bias, int32_t* output,
                                          const FusedRequantization* fused = nullptr);

// FP32 weights need no packing: with multiplier 1 HWCM is already [taps][channels].
// `clamp`, when given, is applied to each output pixel right after it is written (a fused CLAMP).
void DepthwiseConv2dFp32Optimized(const TileKernels& kernels, const DepthwiseConv2dParams& params,
                                  const float* weights, const float* input, const float* bias,
                                  float* output, const FusedClampFp32* clamp = nullptr);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_DEPTHWISE_CONV2D_OPTIMIZED_H_
