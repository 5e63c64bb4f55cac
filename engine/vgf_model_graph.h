// The graph of a model whose file is a VGF (.vgf): decoded with the input shapes config.pbtxt
// gives where the file leaves dimensions open, then validated. Reconciling the config with the
// result is the caller's (ReconcileConfigWithGraph), as for .tosa files.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"
#include "model_config.pb.h"

namespace inferd {

// Errors say what the file or the config lacks; the caller adds the model and version.
absl::StatusOr<std::shared_ptr<const graph::Graph>> LoadVgfModelGraph(
    std::span<const uint8_t> bytes, const inference::ModelConfig& config);

// UNIMPLEMENTED naming the first VGF COMPUTE segment of `graph` when `backend` is not
// tosa_vulkan (a compute shader has no CPU implementation); OK otherwise.
absl::Status CheckComputeSegmentPlacement(const graph::Graph& graph, std::string_view backend);

}  // namespace inferd
