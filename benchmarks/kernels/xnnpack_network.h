// The MobileNet-style TOSA graphs (tools/build_mobilenet.py) rebuilt from XNNPACK operators
// (Debian's libxnnpack, operator API) with the graph's own constant weights: the baseline the CPU
// kernels are timed against. FP32 graphs use XNNPACK's f32 operators; INT8 graphs its quantised
// ones (qc8 per-channel convolution, qs8 add and global average pooling), see
// xnnpack_int8_network.cc for how TOSA's RESCALEs map onto them. Handles exactly the op mix
// build_mobilenet.py writes.
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
  // Runs once: reads `input` (the graph's first input, NHWC, the graph's element type), writes the
  // first output.
  virtual absl::Status Run(std::span<const uint8_t> input, std::span<uint8_t> output) = 0;
  // The bytes tensor `id` of the graph held after the last run (a fused or reshaped tensor shares
  // its producer's buffer), or nullptr when the network has no buffer for it (e.g. an INT32
  // accumulator that XNNPACK never materialises).
  virtual const uint8_t* TensorBytes(graph::TensorId id) const = 0;
};

// `threads` > 1 runs on a pthreadpool of that many threads; 1 runs on the calling thread. Picks the
// f32 or the quantised translation by the graph input's element type.
absl::StatusOr<std::unique_ptr<XnnpackNetwork>> CreateXnnpackNetwork(const graph::Graph& graph,
                                                                     int threads);

}  // namespace inferd::bench
