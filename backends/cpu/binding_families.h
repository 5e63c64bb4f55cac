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

inline constexpr std::array<FamilyBinder, 2> kOperatorFamilies = {BindElementwiseFamily,
                                                                  BindTensorFamily};

}  // namespace inferd::cpu
