// A transformer encoder block as a TOSA 1.0 graph built in memory, with the softmax and
// layer-norm decompositions ExecuTorch's Arm backend lowers to (see transformer_block_graph.cc),
// and the FP32 weights it was built from so that another implementation can run the same block.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/graph/graph.h"

namespace inferd::bench {

struct TransformerDims {
  int64_t sequence = 64;
  int64_t model = 256;
  int64_t heads = 4;
  int64_t ffn = 1024;
  int64_t head() const { return model / heads; }
};

// Row-major [in, out] matrices (TOSA MATMUL's B operand) and their biases.
struct TransformerWeights {
  std::vector<float> wq, wk, wv, wo, bq, bk, bv, bo;  // [model, model], [model]
  std::vector<float> w1, b1;                          // [model, ffn], [ffn]
  std::vector<float> w2, b2;                          // [ffn, model], [model]
  std::vector<float> gamma1, beta1, gamma2, beta2;    // [model]
  float epsilon = 1e-5f;
};

// Random weights (fixed seed) scaled so that activations stay O(1).
TransformerWeights RandomTransformerWeights(const TransformerDims& dims);

// x [1, sequence, model] -> y [1, sequence, model]:
//   h = x + Wo(Attention(LayerNorm1(x))),  y = h + W2(ReLU(W1(LayerNorm2(h)))).
std::shared_ptr<const graph::Graph> BuildTransformerBlockGraph(const TransformerDims& dims,
                                                               const TransformerWeights& weights);

// The INT8 variant covers the block's feed-forward part only (its two largest MATMULs, half the
// FP32 block's time): x [1, S, model] int8 -> MATMUL W1 (INT32) -> RESCALE -> CLAMP [0, 127] (ReLU)
// -> MATMUL W2 -> RESCALE -> y int8, per-tensor requantisation, every zero point 0, no bias (a bias
// ADD between MATMUL and RESCALE would keep the accumulator from being requantised in the MATMUL's
// epilogue). Weights are [in, out] like the FP32 ones.
struct Int8FfnWeights {
  std::vector<int8_t> w1, w2;
  // RESCALE factors multiplier * 2^-shift (scale32, double rounding).
  int32_t multiplier1 = 0, multiplier2 = 0;
  int8_t shift1 = 0, shift2 = 0;
  float factor1() const { return static_cast<float>(std::ldexp(double(multiplier1), -shift1)); }
  float factor2() const { return static_cast<float>(std::ldexp(double(multiplier2), -shift2)); }
};

Int8FfnWeights RandomInt8FfnWeights(const TransformerDims& dims);
std::shared_ptr<const graph::Graph> BuildInt8FfnGraph(const TransformerDims& dims,
                                                      const Int8FfnWeights& weights);

}  // namespace inferd::bench
