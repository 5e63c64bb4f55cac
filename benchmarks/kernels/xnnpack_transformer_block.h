// The transformer block of transformer_block_graph.h rebuilt from Debian's XNNPACK operators
// (libxnnpack 2022-02, operator API) with the same FP32 weights: the baseline the CPU kernels are
// timed against in inferd_transformer_benchmark.
#pragma once

#include <cstdint>
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

// The INT8 feed-forward part (BuildInt8FfnGraph) as two `fully_connected_nc_qs8` operators: input
// and output scale 1 and the kernel scale the RESCALE's factor, so XNNPACK requantises by the same
// factor (in fp32, rounding to nearest-even: outputs may differ from TOSA's by a unit); the CLAMP
// is the first operator's output minimum.
class XnnpackInt8Ffn {
 public:
  virtual ~XnnpackInt8Ffn() = default;
  virtual absl::Status Run(std::span<const int8_t> x, std::span<int8_t> y) = 0;
};

absl::StatusOr<std::unique_ptr<XnnpackInt8Ffn>> CreateXnnpackInt8Ffn(const TransformerDims& dims,
                                                                     const Int8FfnWeights& weights,
                                                                     int threads);

}  // namespace inferd::bench
