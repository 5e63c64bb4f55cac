// The SIMD inner loop of the optimised RESCALE (and of the requantisation fused into the optimised
// convolutions): TOSA's apply_scale_32 / apply_scale_16 on eight lanes at a time, in exact 64-bit
// integer arithmetic, so the results are the reference kernel's bit for bit. Each instruction set
// provides one table; rescale_optimized.cc does the channel geometry and the fallbacks.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_RESCALE_KERNELS_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_RESCALE_KERNELS_H_

#include <cstdint>

namespace inferd::cpu::kernels::optimized {

// Elements one span call handles per step; span lengths are multiples of it.
inline constexpr int kRescaleBlock = 8;

// One span of a RESCALE whose operand values the caller has checked: every multiplier >= 0, every
// shift in [2, 62], no ERROR_IF. Zero points are re-extended (RescaleSetup); out_min / out_max may
// be narrower than the output type (a fused CLAMP).
struct RescaleSpanParams {
  const int32_t* multiplier32 = nullptr;  // scale32
  const int16_t* multiplier16 = nullptr;  // !scale32
  const int8_t* shift = nullptr;
  bool per_element = false;  // parameters advance with the elements (one row of channels)
  bool scale32 = true;
  bool double_round = false;
  bool input_unsigned = false;
  int32_t input_zp = 0;
  int32_t output_zp = 0;
  int32_t out_min = 0;
  int32_t out_max = 0;
  // Every shift is >= 32 (usual for requantising accumulators): the REQUIREs then always hold and
  // the spans may take a shorter path.
  bool wide_shifts = false;
  // Every shift is >= 33 (implies wide_shifts): the rounding can be done in 32-bit lanes.
  bool shifts_above_32 = false;
};

// count is a multiple of kRescaleBlock. Returns true when a REQUIRE of the specification failed
// for one of the elements (value outside apply_scale_32's range, apply_scale_16's result beyond
// int32, overflow adding the output zero point); the written values are then meaningless.
using RescaleSpanFn = bool (*)(const RescaleSpanParams& params, const void* input, void* output,
                               int64_t count);

// Element types by index: 0 int8_t, 1 int16_t, 2 int32_t.
struct RescaleKernels {
  const char* name;
  RescaleSpanFn span[3][3];  // [input type][output type]
};

// The best table the running CPU supports; nullptr when there is none or the optimised kernels are
// switched off (SetOptimizedKernelsEnabled, INFERD_CPU_KERNELS=reference).
const RescaleKernels* SelectRescaleKernels();

// Per instruction set; nullptr when not compiled in. Callers must check the CPU.
const RescaleKernels* Avx2RescaleKernels();
const RescaleKernels* Avx512RescaleKernels();  // needs AVX2 too (its fallback)
const RescaleKernels* NeonRescaleKernels();

template <typename T>
constexpr int RescaleTypeIndex() {
  return sizeof(T) == 1 ? 0 : (sizeof(T) == 2 ? 1 : 2);
}

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_RESCALE_KERNELS_H_
