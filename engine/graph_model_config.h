// Ties a model's config to its TOSA graph: fills the inputs and outputs a config leaves out from
// the graph (a model needs no config.pbtxt at all), and checks those it declares against the graph,
// so that a request validated against the config always fits the graph.
#pragma once

#include "absl/status/status.h"
#include "engine/graph/graph.h"
#include "model_config.pb.h"

namespace inferd {

// With max_batch_size > 0 the graph's tensors carry a leading batch dimension that the config's
// dims leave out (the backend runs the graph per batch item when that dimension is 1); otherwise
// the graph shape is the dims.
absl::Status ReconcileConfigWithGraph(const graph::Graph& graph, inference::ModelConfig& config);

}  // namespace inferd
