// Reference TOSA 1.0 RESCALE: integer requantisation (zero points, multiplier/shift per tensor or
// per channel, 16- or 32-bit multipliers, unsigned 8/16-bit views). Bit-exact with the
// specification.
#ifndef INFERD_BACKENDS_CPU_KERNELS_RESCALE_H_
#define INFERD_BACKENDS_CPU_KERNELS_RESCALE_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// One RESCALE. In TOSA 1.0 multiplier, shift and the zero points are input tensors; the caller
// passes their values.
//
// Preconditions (the graph validator's job): element_count >= 1; when per_channel, the input has
// rank >= 1 and `channels` is its last dimension (element_count is a multiple of it), otherwise
// `channels` is ignored and one multiplier/shift is read; `multiplier32` (scale32) or
// `multiplier16` (!scale32) and `shift` point at that many values.
//
// Zero points are the tensors' stored values widened to int32 either way (an unsigned zero point
// of 200 stored in an int8 tensor may be passed as -56 or 200: the kernel re-extends it by the
// input_unsigned / output_unsigned flags).
struct RescaleParams {
  int64_t element_count = 0;
  int32_t channels = 1;
  const int32_t* multiplier32 = nullptr;
  const int16_t* multiplier16 = nullptr;
  const int8_t* shift = nullptr;
  int32_t input_zp = 0;
  int32_t output_zp = 0;
  bool scale32 = true;
  bool per_channel = false;
  bool input_unsigned = false;
  bool output_unsigned = false;
  RoundingMode rounding_mode = RoundingMode::kSingleRound;
};

// InT is int8_t, int16_t, int32_t or int64_t (the last one holding int48 values); OutT is int8_t,
// int16_t or int32_t. Unsigned 8/16-bit data is stored in the signed type of the same width.
//
// Returns kInvalidArgument when one of the specification's ERROR_IFs holds (zero point not allowed
// for the type, scale32 with int48 input, DOUBLE_ROUND without scale32, disallowed unsigned
// combinations): nothing is written then. Returns kUnpredictable when a REQUIRE fails (shift
// outside [2, 62], negative multiplier, value outside apply_scale_32's range, apply_scale_16 result
// beyond int32, overflow adding the output zero point).
template <typename InT, typename OutT>
KernelStatus Rescale(const RescaleParams& params, const InT* input, OutT* output);

// What Rescale decides before touching data, for kernels that share its semantics (the vectorised
// RESCALE, a convolution's fused requantisation): the zero points re-extended by the unsigned
// flags, the output range, and whether an ERROR_IF holds.
struct RescaleSetup {
  int64_t input_zp = 0;
  int64_t output_zp = 0;
  int64_t out_min = 0;
  int64_t out_max = 0;
  bool error_if = false;
};

template <typename InT, typename OutT>
RescaleSetup SetUpRescale(const RescaleParams& params);

#define INFERD_RESCALE_EXTERN(InT, OutT)                                                    \
  extern template KernelStatus Rescale<InT, OutT>(const RescaleParams&, const InT*, OutT*); \
  extern template RescaleSetup SetUpRescale<InT, OutT>(const RescaleParams&);
INFERD_RESCALE_EXTERN(int8_t, int8_t)
INFERD_RESCALE_EXTERN(int8_t, int16_t)
INFERD_RESCALE_EXTERN(int8_t, int32_t)
INFERD_RESCALE_EXTERN(int16_t, int8_t)
INFERD_RESCALE_EXTERN(int16_t, int16_t)
INFERD_RESCALE_EXTERN(int16_t, int32_t)
INFERD_RESCALE_EXTERN(int32_t, int8_t)
INFERD_RESCALE_EXTERN(int32_t, int16_t)
INFERD_RESCALE_EXTERN(int32_t, int32_t)
INFERD_RESCALE_EXTERN(int64_t, int8_t)
INFERD_RESCALE_EXTERN(int64_t, int16_t)
INFERD_RESCALE_EXTERN(int64_t, int32_t)
#undef INFERD_RESCALE_EXTERN

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_RESCALE_H_
