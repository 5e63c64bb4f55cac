// Which operators the lowering may fold into the convolution before them (one dispatch instead of
// two or three passes over a large tensor; shaders/conv_epilogue.glsl), decided from the graph's
// structure alone, as the CPU backend's requantisation_fusion.h decides its own:
//   * an INT8 CONV2D or DEPTHWISE_CONV2D (INT32 output) whose output has exactly one reader in the
//     whole graph, a RESCALE to INT8 in the same block, and is no block's output; likewise the
//     RESCALE's output for a CLAMP (INT8) to join;
//   * an FP32 CONV2D or DEPTHWISE_CONV2D whose output's one reader is a CLAMP (FP32).
// Whether the shapes and the RESCALE's parameters allow it is OpLowering::LowerFusedConvolution's
// to say; where they do not, the operators are lowered one by one.
//
// Also the quantised ADD as TOSA writes it (ExecuTorch's Arm backend emits it for every residual
// connection): two RESCALEs INT8 -> INT32 whose outputs are each read only by one ADD, the ADD's
// output read only by a RESCALE INT32 -> INT8, and maybe a CLAMP (INT8) as that one's only reader:
// one dispatch (shaders/rescaled_add.comp) instead of five, whose INT32 tensors never reach memory.
// OpLowering::LowerRescaledAdd says whether the parameters and shapes allow it.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "engine/graph/graph.h"

namespace inferd::vulkan {

struct EpilogueFusion {
  size_t producer = 0;            // operator indices in the block
  std::optional<size_t> rescale;  // INT8 producers
  std::optional<size_t> clamp;    // after the RESCALE, or for FP32 the producer
};

// The candidate fusions of `block`, in operator order; no operator is in two.
std::vector<EpilogueFusion> FindEpilogueFusions(const graph::Graph& graph, graph::BlockId block);

struct RescaledAddFusion {
  size_t add = 0;                       // operator indices in the block
  size_t rescale_a = 0, rescale_b = 0;  // before the ADD: its first and second operands
  size_t rescale_out = 0;               // after it
  std::optional<size_t> clamp;
};

// The quantised ADDs of `block`, in operator order; no operator is in two, nor in one of
// FindEpilogueFusions' (which only take operators after a convolution, none of them an ADD or a
// RESCALE from INT8).
std::vector<RescaledAddFusion> FindRescaledAdds(const graph::Graph& graph, graph::BlockId block);

}  // namespace inferd::vulkan
