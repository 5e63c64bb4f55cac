#include "backends/cpu/kernels/rescale.h"

#include <cstdint>
#include <type_traits>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// int64_t stands for int48 in this kernel family.
template <typename T>
constexpr bool kIsInt48 = std::is_same_v<T, int64_t>;

template <typename T>
constexpr int32_t kBits = kIsInt48<T> ? 48 : static_cast<int32_t>(sizeof(T) * 8);

template <typename T>
constexpr int64_t kSignedMin = -(int64_t{1} << (kBits<T> - 1));

template <typename T>
constexpr int64_t kSignedMax = (int64_t{1} << (kBits<T> - 1)) - 1;

// Largest value of the unsigned view of a type (only 8- and 16-bit types have one in TOSA).
template <typename T>
constexpr int64_t kUnsignedMax = (int64_t{1} << kBits<T>)-1;

// Widens a stored value of type T to int64_t, by zero extension when it is viewed as unsigned.
// Only 8- and 16-bit types have unsigned views; the ERROR_IF checks reject the others first.
template <typename T>
constexpr int64_t Extend(int64_t stored, bool is_unsigned) {
  if constexpr (kIsInt48<T>) {
    return stored;
  } else {
    if (is_unsigned && kBits<T> <= 16) return stored & kUnsignedMax<T>;
    return static_cast<int64_t>(static_cast<T>(stored));
  }
}

template <typename InT, typename OutT>
bool ViolatesErrorIf(const RescaleParams& p, int64_t input_zp, int64_t output_zp) {
  constexpr bool kIn8 = std::is_same_v<InT, int8_t>;
  constexpr bool kIn16 = std::is_same_v<InT, int16_t>;
  constexpr bool kIn32 = std::is_same_v<InT, int32_t>;
  constexpr bool kIn48 = kIsInt48<InT>;
  constexpr bool kOut8 = std::is_same_v<OutT, int8_t>;
  constexpr bool kOut16 = std::is_same_v<OutT, int16_t>;
  constexpr bool kOut32 = std::is_same_v<OutT, int32_t>;
  if (!kIn8 && !(kIn16 && p.input_unsigned) && input_zp != 0) return true;
  if (!kOut8 && !(kOut16 && p.output_unsigned) && output_zp != 0) return true;
  if (kIn16 && p.input_unsigned && input_zp != 0 && input_zp != 32768) return true;
  if (kOut16 && p.output_unsigned && output_zp != 0 && output_zp != 32768) return true;
  if (p.scale32 && kIn48) return true;
  if (!p.scale32 && p.rounding_mode == RoundingMode::kDoubleRound) return true;
  if (p.input_unsigned && p.output_unsigned) return true;
  if (kOut32 && (p.input_unsigned || p.output_unsigned)) return true;
  if ((kIn32 || kIn48) && (p.input_unsigned || p.output_unsigned)) return true;
  return false;
}

}  // namespace

template <typename InT, typename OutT>
RescaleSetup SetUpRescale(const RescaleParams& p) {
  RescaleSetup setup;
  setup.input_zp = Extend<InT>(p.input_zp, p.input_unsigned);
  setup.output_zp = Extend<OutT>(p.output_zp, p.output_unsigned);
  setup.error_if = ViolatesErrorIf<InT, OutT>(p, setup.input_zp, setup.output_zp);
  setup.out_min = p.output_unsigned ? 0 : kSignedMin<OutT>;
  setup.out_max = p.output_unsigned ? kUnsignedMax<OutT> : kSignedMax<OutT>;
  return setup;
}

template <typename InT, typename OutT>
KernelStatus Rescale(const RescaleParams& p, const InT* input, OutT* output) {
  const RescaleSetup setup = SetUpRescale<InT, OutT>(p);
  if (setup.error_if) return KernelStatus::kInvalidArgument;
  const int64_t input_zp = setup.input_zp;
  const int64_t output_zp = setup.output_zp;
  const int64_t out_min = setup.out_min;
  const int64_t out_max = setup.out_max;
  const bool double_round = p.rounding_mode == RoundingMode::kDoubleRound;
  const int64_t channels = p.per_channel ? p.channels : 1;
  const int64_t rows = p.per_channel ? p.element_count / channels : p.element_count;

  bool unpredictable = false;
  const InT* in = input;
  OutT* out = output;
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t c = 0; c < channels; ++c) {
      // The ERROR_IFs bound value to 17 bits for 8/16-bit inputs and to int32 for int32 inputs
      // (zero point 0), so it fits apply_scale_32's int32 parameter whenever scale32 is allowed.
      const int64_t value = Extend<InT>(*in++, p.input_unsigned) - input_zp;
      const int32_t shift = p.shift[c];
      int64_t result = p.scale32 ? ApplyScale32(static_cast<int32_t>(value), p.multiplier32[c],
                                                shift, double_round, unpredictable)
                                 : ApplyScale16(value, p.multiplier16[c], shift, unpredictable);
      result += output_zp;  // apply_add_s<int32_t>
      if (!InRange(result, INT32_MIN, INT32_MAX)) unpredictable = true;
      *out++ = static_cast<OutT>(ClipS(result, out_min, out_max));
    }
  }
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

#define INFERD_RESCALE_INSTANTIATE(InT, OutT)                                        \
  template KernelStatus Rescale<InT, OutT>(const RescaleParams&, const InT*, OutT*); \
  template RescaleSetup SetUpRescale<InT, OutT>(const RescaleParams&);
INFERD_RESCALE_INSTANTIATE(int8_t, int8_t)
INFERD_RESCALE_INSTANTIATE(int8_t, int16_t)
INFERD_RESCALE_INSTANTIATE(int8_t, int32_t)
INFERD_RESCALE_INSTANTIATE(int16_t, int8_t)
INFERD_RESCALE_INSTANTIATE(int16_t, int16_t)
INFERD_RESCALE_INSTANTIATE(int16_t, int32_t)
INFERD_RESCALE_INSTANTIATE(int32_t, int8_t)
INFERD_RESCALE_INSTANTIATE(int32_t, int16_t)
INFERD_RESCALE_INSTANTIATE(int32_t, int32_t)
INFERD_RESCALE_INSTANTIATE(int64_t, int8_t)
INFERD_RESCALE_INSTANTIATE(int64_t, int16_t)
INFERD_RESCALE_INSTANTIATE(int64_t, int32_t)
#undef INFERD_RESCALE_INSTANTIATE

}  // namespace inferd::cpu::kernels
