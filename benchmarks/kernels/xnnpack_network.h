// The FP32 MobileNet-style TOSA graph rebuilt from XNNPACK operators (Debian's libxnnpack, operator
// API), with the graph's own constant weights: the baseline the optimised CPU kernels are timed
// against. Handles exactly the op mix tools/build_mobilenet.py writes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::bench {

class XnnpackNetwork {
 public:
  virtual ~XnnpackNetwork() = default;
  // Runs once: reads `input` (the graph's first input, FP32 NHWC), writes the first output.
  virtual absl::Status Run(std::span<const float> input, std::span<float> output) = 0;
  // The values tensor `id` of the graph held after the last run (a fused or reshaped tensor
  // shares its producer's buffer), or nullptr when the network has no buffer for it.
  virtual const float* TensorValues(graph::TensorId id) const = 0;
};

// `threads` > 1 runs on a pthreadpool of that many threads; 1 runs on the calling thread.
absl::StatusOr<std::unique_ptr<XnnpackNetwork>> CreateXnnpackNetwork(const graph::Graph& graph,
                                                                     int threads);

}  // namespace inferd::bench
