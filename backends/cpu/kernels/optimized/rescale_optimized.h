// Optimised RESCALE: the reference kernel's semantics (kernels::Rescale) bit for bit, including its
// status, on the SIMD spans of rescale_kernels.h. Cases the spans do not cover (INT48 input,
// operand values that break an ERROR_IF or a REQUIRE) run the reference kernel, so results and
// statuses always match it.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_RESCALE_OPTIMIZED_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_RESCALE_OPTIMIZED_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/optimized/rescale_kernels.h"
#include "backends/cpu/kernels/rescale.h"

namespace inferd::cpu::kernels::optimized {

template <typename InT, typename OutT>
KernelStatus RescaleOptimized(const RescaleKernels& kernels, const RescaleParams& params,
                              const InT* input, OutT* output);

// The spans' parameters for `params` (pointers included) when every multiplier and shift is in the
// range the spans assume and no ERROR_IF holds; false otherwise (the caller runs the reference).
// clamp_min / clamp_max narrow the output range (a fused CLAMP); pass the type's limits otherwise.
template <typename InT, typename OutT>
bool PrepareRescaleSpan(const RescaleParams& params, int64_t clamp_min, int64_t clamp_max,
                        RescaleSpanParams& span);

// Runs `span` over rows x channels elements (row stride = channels) for per-channel parameters, or
// over rows * channels elements for per-tensor ones, tails included. True when a REQUIRE failed.
template <typename InT, typename OutT>
bool RescaleRows(const RescaleKernels& kernels, const RescaleSpanParams& span, const InT* input,
                 OutT* output, int64_t rows, int64_t channels);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_RESCALE_OPTIMIZED_H_
