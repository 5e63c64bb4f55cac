// Which operators the lowering may fold into the convolution before them (one dispatch instead of
// two or three passes over a large tensor; shaders/conv_epilogue.glsl), decided from the graph's
// structure alone, as the CPU backend's requantisation_fusion.h decides its own:
//   * an INT8 CONV2D or DEPTHWISE_CONV2D (INT32 output) whose output has exactly one reader in the
//     whole graph, a RESCALE to INT8 in the same block, and is no block's output; likewise the
//     RESCALE's output for a CLAMP (INT8) to join;
//   * an FP32 CONV2D or DEPTHWISE_CONV2D whose output's one reader is a CLAMP (FP32).
// Whether the shapes and the RESCALE's parameters allow it is OpLowering::LowerFusedConvolution's
// to say; where they do not, the operators are lowered one by one.
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

}  // namespace inferd::vulkan
