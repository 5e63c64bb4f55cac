// Plain types shared by the reference TOSA kernels: the status they return and the small enums that
// mirror TOSA attributes. Freestanding: the Cortex-M firmware compiles this header too.
#ifndef INFERD_BACKENDS_CPU_KERNELS_KERNEL_TYPES_H_
#define INFERD_BACKENDS_CPU_KERNELS_KERNEL_TYPES_H_

#include <cstdint>

namespace inferd::cpu::kernels {

// Highest tensor rank the kernels index (the TOSA 1.0 level limit MAX_RANK for 8K is 6).
inline constexpr int32_t kMaxRank = 6;

// What a kernel reports. Shapes and static attributes are validated once at load by the graph
// validator, so kernels only report conditions that depend on values seen at run time.
enum class KernelStatus : uint8_t {
  kOk = 0,
  // An ERROR_IF of the specification failed on run-time values (for example a RESCALE zero point
  // that its type does not allow). Nothing useful was written.
  kInvalidArgument,
  // A REQUIRE of the specification failed (integer overflow, a shift out of range, ...). The
  // specification calls the result unpredictable; the output holds a value but must not be trusted.
  kUnpredictable,
};

// TOSA nan_propagation_mode_t: how MAX_POOL2D, CLAMP, MAXIMUM and MINIMUM treat NaN operands.
enum class NanMode : uint8_t {
  kPropagate,  // any NaN operand makes the result NaN
  kIgnore,     // a NaN operand is dropped in favour of the other operand
};

// TOSA rounding_mode_t for RESCALE.
enum class RoundingMode : uint8_t {
  kSingleRound,
  // The specification allows an inexact result within a bound; the exact single-rounded result
  // always meets it, so it is computed like kSingleRound.
  kInexactRound,
  kDoubleRound,
};

// Merges two statuses keeping the more severe one (kInvalidArgument > kUnpredictable > kOk).
constexpr KernelStatus Worst(KernelStatus a, KernelStatus b) {
  if (a == KernelStatus::kInvalidArgument || b == KernelStatus::kInvalidArgument) {
    return KernelStatus::kInvalidArgument;
  }
  if (a == KernelStatus::kUnpredictable || b == KernelStatus::kUnpredictable) {
    return KernelStatus::kUnpredictable;
  }
  return KernelStatus::kOk;
}

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_KERNEL_TYPES_H_
