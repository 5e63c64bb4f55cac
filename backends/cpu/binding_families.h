// The operator families bound outside kernel_binding.cc, one file each (bind_<family>.cc). A
// family binder returns nullopt for operators that are not its own.
#pragma once

#include <array>

#include "backends/cpu/binding_support.h"

namespace inferd::cpu {

// Elementwise unary/binary/ternary, comparison, logical, bitwise, activation and CAST operators.
std::optional<absl::StatusOr<BoundStep>> BindElementwiseFamily(const graph::Graph& graph,
                                                               const graph::Operator& op);
// Data layout, reductions, gather/scatter, image, ARGMAX, CONV3D, TRANSPOSE_CONV2D, FFT operators.
std::optional<absl::StatusOr<BoundStep>> BindTensorFamily(const graph::Graph& graph,
                                                          const graph::Operator& op);

// BF16 CONV2D, DEPTHWISE_CONV2D and MATMUL on the optimised FP32 kernels (bind_bf16_optimized.cc)
// when the CPU has them and, for CONV2D, the weights are constants; nullopt leaves the operator to
// the reference kernels.
std::optional<BoundStep> BindBf16Optimized(const graph::Graph& graph, const graph::Operator& op);

inline constexpr std::array<FamilyBinder, 2> kOperatorFamilies = {BindElementwiseFamily,
                                                                  BindTensorFamily};

}  // namespace inferd::cpu
