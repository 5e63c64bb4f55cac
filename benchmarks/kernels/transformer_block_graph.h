// A transformer encoder block as a TOSA 1.0 graph built in memory, with the softmax and
// layer-norm decompositions ExecuTorch's Arm backend lowers to (see transformer_block_graph.cc),
// and the FP32 weights it was built from so that another implementation can run the same block.
#pragma once

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

}  // namespace inferd::bench
