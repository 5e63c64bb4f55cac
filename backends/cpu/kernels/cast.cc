#include "backends/cpu/kernels/cast.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// Exact fp64 value of any element type.
inline double AsDouble(int32_t v) { return v; }
template <typename T>
inline double AsDouble(T v) {
  if constexpr (kIsFloat<T>) {
    return Widen(v);
  } else {
    return static_cast<double>(v);
  }
}

}  // namespace

template <typename InT, typename OutT>
KernelStatus Cast(const InT* input, OutT* output, int64_t count) {
  bool unpredictable = false;
  for (int64_t i = 0; i < count; ++i) {
    if constexpr (kIsFloat<OutT>) {
      output[i] = Narrow<OutT>(AsDouble(input[i]));
    } else if constexpr (kIsFloat<InT>) {
      const double value = Widen(input[i]);
      if (std::isnan(value)) {
        unpredictable = true;
        output[i] = 0;
        continue;
      }
      // round_to_nearest_int (nearbyint: ties to even in the default rounding mode), then
      // apply_clip_s to the output range; clipping in fp64 first keeps the conversion defined.
      const double clipped = std::fmin(
          std::fmax(std::nearbyint(value), static_cast<double>(std::numeric_limits<OutT>::min())),
          static_cast<double>(std::numeric_limits<OutT>::max()));
      output[i] = static_cast<OutT>(clipped);
    } else {
      // Integer to integer: C++20 conversions sign-extend when widening and keep the low bits
      // when narrowing, which is the specification's sign_extend / truncate.
      output[i] = static_cast<OutT>(input[i]);
    }
  }
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

template <typename OutT>
void CastFromBool(const uint8_t* input, OutT* output, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    if constexpr (kIsFloat<OutT>) {
      output[i] = Narrow<OutT>(input[i] != 0 ? 1.0 : 0.0);
    } else {
      output[i] = static_cast<OutT>(input[i] != 0 ? 1 : 0);
    }
  }
}

template <typename InT>
void CastToBool(const InT* input, uint8_t* output, int64_t count) {
  for (int64_t i = 0; i < count; ++i) output[i] = static_cast<uint8_t>(AsDouble(input[i]) != 0.0);
}

#define INFERD_CAST_FROM(InT)                                              \
  template KernelStatus Cast<InT, int8_t>(const InT*, int8_t*, int64_t);   \
  template KernelStatus Cast<InT, int16_t>(const InT*, int16_t*, int64_t); \
  template KernelStatus Cast<InT, int32_t>(const InT*, int32_t*, int64_t); \
  template KernelStatus Cast<InT, float>(const InT*, float*, int64_t);     \
  template KernelStatus Cast<InT, Fp16>(const InT*, Fp16*, int64_t);       \
  template KernelStatus Cast<InT, Bf16>(const InT*, Bf16*, int64_t);       \
  template void CastFromBool<InT>(const uint8_t*, InT*, int64_t);          \
  template void CastToBool<InT>(const InT*, uint8_t*, int64_t);
INFERD_CAST_FROM(int8_t)
INFERD_CAST_FROM(int16_t)
INFERD_CAST_FROM(int32_t)
INFERD_CAST_FROM(float)
INFERD_CAST_FROM(Fp16)
INFERD_CAST_FROM(Bf16)
#undef INFERD_CAST_FROM

// EXT-FP8E4M3 / EXT-FP8E5M2: the FP8 types convert to and from FP16, BF16 and FP32 only.
#define INFERD_CAST_FP8(Fp8T)                                            \
  template KernelStatus Cast<Fp8T, float>(const Fp8T*, float*, int64_t); \
  template KernelStatus Cast<Fp8T, Fp16>(const Fp8T*, Fp16*, int64_t);   \
  template KernelStatus Cast<Fp8T, Bf16>(const Fp8T*, Bf16*, int64_t);   \
  template KernelStatus Cast<float, Fp8T>(const float*, Fp8T*, int64_t); \
  template KernelStatus Cast<Fp16, Fp8T>(const Fp16*, Fp8T*, int64_t);   \
  template KernelStatus Cast<Bf16, Fp8T>(const Bf16*, Fp8T*, int64_t);
INFERD_CAST_FP8(Fp8E4M3)
INFERD_CAST_FP8(Fp8E5M2)
#undef INFERD_CAST_FP8

}  // namespace inferd::cpu::kernels
