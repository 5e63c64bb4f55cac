// The transformer block of transformer_block_graph.h rebuilt from Debian's XNNPACK operators
// (libxnnpack 2022-02, operator API) with the same FP32 weights: the baseline the CPU kernels are
// timed against in inferd_transformer_benchmark.
#pragma once

#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "benchmarks/kernels/transformer_block_graph.h"

namespace inferd::bench {

class XnnpackTransformerBlock {
 public:
  virtual ~XnnpackTransformerBlock() = default;
  // Runs once: x [sequence, model] -> y [sequence, model].
  virtual absl::Status Run(std::span<const float> x, std::span<float> y) = 0;
};

// `threads` > 1 runs on a pthreadpool of that many threads; 1 runs on the calling thread.
absl::StatusOr<std::unique_ptr<XnnpackTransformerBlock>> CreateXnnpackTransformerBlock(
    const TransformerDims& dims, const TransformerWeights& weights, int threads);

}  // namespace inferd::bench
