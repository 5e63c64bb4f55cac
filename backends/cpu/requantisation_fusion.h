// RESCALE (and a following CLAMP) folded into the INT8 CONV2D / DEPTHWISE_CONV2D / MATMUL that
// produces its INT32 input: the optimised kernel requantises its accumulators in its epilogue, so
// the INT32 tensor is never written or read back. Chosen once per block when the graph is bound,
// only where the result is bit-exact with running the operators separately:
//   * the optimised kernels are on (not INFERD_CPU_KERNELS=reference) and take the producer;
//   * the accumulator has exactly one reader in the whole graph, that RESCALE (INT32 -> INT8,
//     its multiplier, shift and zero points constants), and is no block's output;
//   * likewise the RESCALE's output for a CLAMP to join.
// Operand values the vector spans do not take (an ERROR_IF, a REQUIRE) make the fused step run the
// three bound operators one after another instead, so statuses match too; an error is then
// reported against the producing operator.
//
// The FP32 counterpart: a CLAMP (bounds not NaN) that is the sole reader of an FP32 CONV2D or
// DEPTHWISE_CONV2D's output, on the optimised kernels, is applied to each block of output rows as
// the convolution writes it (the same elements, while they are in cache). And an FP32 MATMUL by a
// constant B whose output's sole reader is an ADD of a constant [1, 1, C] bias (how ExecuTorch's
// Arm backend lowers a linear layer), optionally followed by such a CLAMP: the tile kernels add
// the bias as the last addition of each output (one rounding, as the separate ADD) and the CLAMP
// runs on each group of rows as it is written.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/cpu/kernel_binding.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

enum class FusionKind {
  kRequantise,      // INT8 producer + RESCALE (+ CLAMP)
  kFp32Clamp,       // FP32 producer + CLAMP
  kFp32MatmulBias,  // FP32 MATMUL + bias ADD (+ CLAMP)
};

struct RequantisationFusion {
  size_t producer = 0;  // operator indices in the block
  // The operator the producer's epilogue takes over: the RESCALE, for kFp32Clamp the CLAMP, for
  // kFp32MatmulBias the ADD.
  size_t rescale = 0;
  std::optional<size_t> clamp;  // kRequantise, kFp32MatmulBias: a CLAMP after that operator
  FusionKind kind = FusionKind::kRequantise;
};

// The fusions of `block`, in operator order; no operator is in two.
std::vector<RequantisationFusion> FindRequantisationFusions(const graph::Graph& graph,
                                                            graph::BlockId block);
// The same, with the weights and RESCALE operands `constants` knows at load (folded constants
// besides CONST payloads) counting as constants.
std::vector<RequantisationFusion> FindRequantisationFusions(const graph::Graph& graph,
                                                            graph::BlockId block,
                                                            const LoadTimeConstants& constants);

// The one step that runs a fusion: writes the last operator's output.
absl::StatusOr<BoundStep> BindRequantisationFusion(const graph::Graph& graph, graph::BlockId block,
                                                   const RequantisationFusion& fusion);
// The same for a fusion FindRequantisationFusions found with `constants`.
absl::StatusOr<BoundStep> BindRequantisationFusion(const graph::Graph& graph, graph::BlockId block,
                                                   const RequantisationFusion& fusion,
                                                   const LoadTimeConstants& constants);

}  // namespace inferd::cpu
