#include "backends/cpu/kernels/optimized/rescale_optimized.h"

#include <algorithm>
#include <cstdint>

#include "backends/cpu/kernels/optimized/fused_requantization.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// A span of any length: whole blocks directly, the tail through a padded block whose extra
// elements hold the input zero point (value 0, in range for every shift) and a valid dummy scale.
template <typename InT, typename OutT>
bool RunSpan(RescaleSpanFn fn, const RescaleSpanParams& span, const InT* input, OutT* output,
             int64_t count) {
  const int64_t whole = count - count % kRescaleBlock;
  bool failed = whole > 0 && fn(span, input, output, whole);
  const int64_t tail = count - whole;
  if (tail == 0) return failed;
  InT in[kRescaleBlock];
  OutT out[kRescaleBlock];
  int32_t multiplier32[kRescaleBlock];
  int16_t multiplier16[kRescaleBlock];
  int8_t shift[kRescaleBlock];
  RescaleSpanParams padded = span;
  for (int i = 0; i < kRescaleBlock; ++i) {
    const bool real = i < tail;
    in[i] = real ? input[whole + i] : static_cast<InT>(span.input_zp);
    if (span.per_element) {
      multiplier32[i] = real && span.scale32 ? span.multiplier32[whole + i] : 0;
      multiplier16[i] = real && !span.scale32 ? span.multiplier16[whole + i] : int16_t{0};
      shift[i] = real ? span.shift[whole + i] : int8_t{2};
    }
  }
  if (span.per_element) {
    padded.multiplier32 = multiplier32;
    padded.multiplier16 = multiplier16;
    padded.shift = shift;
  }
  failed |= fn(padded, in, out, kRescaleBlock);
  std::copy_n(out, tail, output + whole);
  return failed;
}

}  // namespace

template <typename InT, typename OutT>
bool PrepareRescaleSpan(const RescaleParams& p, int64_t clamp_min, int64_t clamp_max,
                        RescaleSpanParams& span) {
  if constexpr (sizeof(InT) > 4) {
    return false;  // INT48: apply_scale_16 on 48-bit values needs more than a 32x32 product
  } else {
    const RescaleSetup setup = SetUpRescale<InT, OutT>(p);
    if (setup.error_if) return false;
    const int64_t channels = p.per_channel ? p.channels : 1;
    span.wide_shifts = true;
    span.shifts_above_32 = true;
    for (int64_t c = 0; c < channels; ++c) {
      const int32_t multiplier = p.scale32 ? p.multiplier32[c] : p.multiplier16[c];
      if (multiplier < 0 || p.shift[c] < 2 || p.shift[c] > 62) return false;
      span.wide_shifts &= p.shift[c] >= 32;
      span.shifts_above_32 &= p.shift[c] >= 33;
    }
    span.multiplier32 = p.multiplier32;
    span.multiplier16 = p.multiplier16;
    span.shift = p.shift;
    span.per_element = p.per_channel;
    span.scale32 = p.scale32;
    span.double_round = p.rounding_mode == RoundingMode::kDoubleRound;
    span.input_unsigned = p.input_unsigned;
    span.input_zp = static_cast<int32_t>(setup.input_zp);
    span.output_zp = static_cast<int32_t>(setup.output_zp);
    const int64_t lo = std::max(setup.out_min, clamp_min);
    const int64_t hi = std::min(setup.out_max, clamp_max);
    if (lo > hi) return false;
    span.out_min = static_cast<int32_t>(lo);
    span.out_max = static_cast<int32_t>(hi);
    return true;
  }
}

template <typename InT, typename OutT>
bool RescaleRows(const RescaleKernels& kernels, const RescaleSpanParams& span, const InT* input,
                 OutT* output, int64_t rows, int64_t channels) {
  const RescaleSpanFn fn = kernels.span[RescaleTypeIndex<InT>()][RescaleTypeIndex<OutT>()];
  if (!span.per_element) return RunSpan(fn, span, input, output, rows * channels);
  bool failed = false;
  for (int64_t r = 0; r < rows; ++r) {
    failed |= RunSpan(fn, span, input + r * channels, output + r * channels, channels);
  }
  return failed;
}

template <typename InT, typename OutT>
KernelStatus RescaleOptimized(const RescaleKernels& kernels, const RescaleParams& p,
                              const InT* input, OutT* output) {
  if constexpr (sizeof(InT) > 4) {
    return Rescale<InT, OutT>(p, input, output);
  } else {
    RescaleSpanParams span;
    if (!PrepareRescaleSpan<InT, OutT>(p, INT64_MIN, INT64_MAX, span)) {
      return Rescale<InT, OutT>(p, input, output);
    }
    const int64_t channels = p.per_channel ? p.channels : 1;
    if (RescaleRows(kernels, span, input, output, p.element_count / channels, channels)) {
      // A REQUIRE failed somewhere: the reference decides what is written and reported.
      return Rescale<InT, OutT>(p, input, output);
    }
    return KernelStatus::kOk;
  }
}

#define INFERD_RESCALE_OPTIMIZED(InT, OutT)                                                      \
  template KernelStatus RescaleOptimized<InT, OutT>(const RescaleKernels&, const RescaleParams&, \
                                                    const InT*, OutT*);                          \
  template bool PrepareRescaleSpan<InT, OutT>(const RescaleParams&, int64_t, int64_t,            \
                                              RescaleSpanParams&);
INFERD_RESCALE_OPTIMIZED(int8_t, int8_t)
INFERD_RESCALE_OPTIMIZED(int8_t, int16_t)
INFERD_RESCALE_OPTIMIZED(int8_t, int32_t)
INFERD_RESCALE_OPTIMIZED(int16_t, int8_t)
INFERD_RESCALE_OPTIMIZED(int16_t, int16_t)
INFERD_RESCALE_OPTIMIZED(int16_t, int32_t)
INFERD_RESCALE_OPTIMIZED(int32_t, int8_t)
INFERD_RESCALE_OPTIMIZED(int32_t, int16_t)
INFERD_RESCALE_OPTIMIZED(int32_t, int32_t)
INFERD_RESCALE_OPTIMIZED(int64_t, int8_t)
INFERD_RESCALE_OPTIMIZED(int64_t, int16_t)
INFERD_RESCALE_OPTIMIZED(int64_t, int32_t)
#undef INFERD_RESCALE_OPTIMIZED

bool RequantizeRows(const FusedRequantization& fused, const int32_t* accumulators,
                    int64_t first_row, int64_t rows, int64_t channels) {
  return RescaleRows<int32_t, int8_t>(*fused.kernels, fused.span, accumulators,
                                      fused.output + first_row * channels, rows, channels);
}

template bool RescaleRows<int32_t, int8_t>(const RescaleKernels&, const RescaleSpanParams&,
                                           const int32_t*, int8_t*, int64_t, int64_t);
template bool RescaleRows<int32_t, int16_t>(const RescaleKernels&, const RescaleSpanParams&,
                                            const int32_t*, int16_t*, int64_t, int64_t);
template bool RescaleRows<int32_t, int32_t>(const RescaleKernels&, const RescaleSpanParams&,
                                            const int32_t*, int32_t*, int64_t, int64_t);

}  // namespace inferd::cpu::kernels::optimized
