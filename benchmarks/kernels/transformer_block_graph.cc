#include "benchmarks/kernels/transformer_block_graph.h"

#include <cmath>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <utility>

#include "engine/graph/graph_validator.h"

namespace inferd::bench {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;

template <typename T>
std::vector<uint8_t> RawBytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// Appends tensors and operators to a one-block graph; every intermediate tensor is FP32.
class BlockWriter {
 public:
  BlockWriter() {
    graph_.regions.push_back(graph::Region{"main", {0}});
    graph::Block main;
    main.name = "main";
    graph_.blocks.push_back(main);
    shift_ = Constant("shift", DType::kInt8, {1}, RawBytes(std::vector<int8_t>{0}));
    zero_ = Constant("zero", DType::kFp32, {1}, RawBytes(std::vector<float>{0.0f}));
  }

  TensorId Tensor(const std::string& name, DType dtype, Shape shape) {
    graph::Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.block = 0;
    const auto id = static_cast<TensorId>(graph_.tensors.size());
    graph_.tensors.push_back(std::move(t));
    graph_.blocks[0].tensors.push_back(id);
    return id;
  }
  TensorId Activation(const std::string& name, Shape shape) {
    return Tensor(name, DType::kFp32, std::move(shape));
  }
  TensorId Constant(const std::string& name, DType dtype, Shape shape, std::vector<uint8_t> data) {
    const TensorId id = Tensor(name, dtype, std::move(shape));
    graph_.tensors[id].data = std::move(data);
    Emit(Op::kConst, {}, {}, {id});
    return id;
  }
  TensorId Floats(const std::string& name, Shape shape, const std::vector<float>& values) {
    return Constant(name, DType::kFp32, std::move(shape), RawBytes(values));
  }
  TensorId ShapeOf(const std::string& name, const Shape& values) {
    const TensorId id = Tensor(name, DType::kShape, {static_cast<int64_t>(values.size())});
    graph_.tensors[id].data = RawBytes(values);
    Emit(Op::kConstShape, {}, {}, {id});
    return id;
  }
  void Emit(Op op, graph::Attribute attribute, std::vector<TensorId> inputs,
            std::vector<TensorId> outputs) {
    graph::Operator o;
    o.op = op;
    o.attribute = std::move(attribute);
    o.inputs = std::move(inputs);
    o.outputs = std::move(outputs);
    graph_.blocks[0].operators.push_back(std::move(o));
  }
  const Shape& ShapeOfTensor(TensorId id) const { return graph_.tensors[id].shape; }

  // One-output operators on FP32 activations of `shape`.
  TensorId Unary(Op op, const std::string& name, TensorId in) {
    const TensorId out = Activation(name, ShapeOfTensor(in));
    Emit(op, {}, {in}, {out});
    return out;
  }
  TensorId Binary(Op op, const std::string& name, TensorId a, TensorId b) {
    Shape shape = ShapeOfTensor(a);
    for (size_t i = 0; i < shape.size(); ++i) {
      shape[i] = std::max(shape[i], ShapeOfTensor(b)[i]);
    }
    const TensorId out = Activation(name, shape);
    if (op == Op::kMul) {
      Emit(op, {}, {a, b, shift_}, {out});
    } else {
      Emit(op, {}, {a, b}, {out});
    }
    return out;
  }
  template <typename Attr>
  TensorId Reduce(Op op, const std::string& name, TensorId in, int32_t axis) {
    Shape shape = ShapeOfTensor(in);
    shape[axis] = 1;
    const TensorId out = Activation(name, shape);
    Attr attr;
    attr.axis = axis;
    Emit(op, attr, {in}, {out});
    return out;
  }
  TensorId Reshape(const std::string& name, TensorId in, const Shape& shape) {
    const TensorId out = Activation(name, shape);
    Emit(Op::kReshape, {}, {in, ShapeOf(name + "_shape", shape)}, {out});
    return out;
  }
  TensorId Transpose(const std::string& name, TensorId in, const std::vector<int32_t>& perms) {
    Shape shape;
    for (int32_t p : perms) shape.push_back(ShapeOfTensor(in)[p]);
    const TensorId out = Activation(name, shape);
    Emit(Op::kTranspose, graph::TransposeAttr{perms}, {in}, {out});
    return out;
  }
  TensorId Matmul(const std::string& name, TensorId a, TensorId b) {
    const Shape& sa = ShapeOfTensor(a);
    const TensorId out = Activation(name, {sa[0], sa[1], ShapeOfTensor(b)[2]});
    Emit(Op::kMatMul, {}, {a, b, zero_, zero_}, {out});
    return out;
  }

  graph::Graph& graph() { return graph_; }

  std::shared_ptr<const graph::Graph> Finish() {
    if (absl::Status status = graph::ValidateGraph(graph_); !status.ok()) {
      std::cerr << "transformer benchmark graph invalid: " << status << "\n";
      std::abort();
    }
    return std::make_shared<const graph::Graph>(std::move(graph_));
  }

 private:
  graph::Graph graph_;
  TensorId shift_, zero_;
};

std::vector<float> RandomVector(std::mt19937& rng, size_t n, float scale, float offset = 0) {
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = offset + dist(rng);
  return v;
}

// x @ W + b, with W a constant [1, in, out] (ExecuTorch's Arm backend lowers a linear layer on a
// 3-D activation to MATMUL and a bias ADD when it does not pick a 1x1 CONV2D).
TensorId Linear(BlockWriter& w, const std::string& name, TensorId x, const std::vector<float>& wt,
                const std::vector<float>& bias, int64_t in, int64_t out) {
  const TensorId weight = w.Floats(name + "_w", {1, in, out}, wt);
  const TensorId b = w.Floats(name + "_b", {1, 1, out}, bias);
  return w.Binary(Op::kAdd, name, w.Matmul(name + "_mm", x, weight), b);
}

// LayerNorm over the last axis as the Arm backend's decomposition writes it: mean as REDUCE_SUM
// times 1/N, the centred input squared, its mean, + eps, RSQRT, then the affine part.
TensorId LayerNorm(BlockWriter& w, const std::string& name, TensorId x, const TransformerDims& dims,
                   const std::vector<float>& gamma, const std::vector<float>& beta, float eps) {
  const TensorId inv_n = w.Floats(name + "_inv_n", {1, 1, 1}, {1.0f / dims.model});
  const TensorId mean =
      w.Binary(Op::kMul, name + "_mean",
               w.Reduce<graph::ReduceSumAttr>(Op::kReduceSum, name + "_sum", x, 2), inv_n);
  const TensorId centred = w.Binary(Op::kSub, name + "_centred", x, mean);
  const TensorId squared = w.Binary(Op::kMul, name + "_squared", centred, centred);
  const TensorId variance =
      w.Binary(Op::kMul, name + "_var",
               w.Reduce<graph::ReduceSumAttr>(Op::kReduceSum, name + "_sqsum", squared, 2), inv_n);
  const TensorId shifted =
      w.Binary(Op::kAdd, name + "_var_eps", variance, w.Floats(name + "_eps", {1, 1, 1}, {eps}));
  const TensorId inv_std = w.Unary(Op::kRsqrt, name + "_rsqrt", shifted);
  const TensorId normed = w.Binary(Op::kMul, name + "_normed", centred, inv_std);
  const TensorId scaled =
      w.Binary(Op::kMul, name + "_gamma", normed, w.Floats(name + "_g", {1, 1, dims.model}, gamma));
  return w.Binary(Op::kAdd, name, scaled, w.Floats(name + "_b", {1, 1, dims.model}, beta));
}

// Softmax over the last axis: REDUCE_MAX, SUB, EXP, REDUCE_SUM, RECIPROCAL, MUL.
TensorId Softmax(BlockWriter& w, const std::string& name, TensorId x, int32_t axis) {
  const TensorId max = w.Reduce<graph::ReduceMaxAttr>(Op::kReduceMax, name + "_max", x, axis);
  const TensorId e = w.Unary(Op::kExp, name + "_exp", w.Binary(Op::kSub, name + "_sub", x, max));
  const TensorId sum = w.Reduce<graph::ReduceSumAttr>(Op::kReduceSum, name + "_sum", e, axis);
  return w.Binary(Op::kMul, name, e, w.Unary(Op::kReciprocal, name + "_recip", sum));
}

}  // namespace

TransformerWeights RandomTransformerWeights(const TransformerDims& dims) {
  std::mt19937 rng(11);
  const auto d = static_cast<size_t>(dims.model), f = static_cast<size_t>(dims.ffn);
  const float wd = 1.0f / std::sqrt(static_cast<float>(d)), wf = 1.0f / std::sqrt(float(f));
  TransformerWeights w;
  w.wq = RandomVector(rng, d * d, wd);
  w.wk = RandomVector(rng, d * d, wd);
  w.wv = RandomVector(rng, d * d, wd);
  w.wo = RandomVector(rng, d * d, wd);
  w.bq = RandomVector(rng, d, 0.1f);
  w.bk = RandomVector(rng, d, 0.1f);
  w.bv = RandomVector(rng, d, 0.1f);
  w.bo = RandomVector(rng, d, 0.1f);
  w.w1 = RandomVector(rng, d * f, wd);
  w.b1 = RandomVector(rng, f, 0.1f);
  w.w2 = RandomVector(rng, f * d, wf);
  w.b2 = RandomVector(rng, d, 0.1f);
  w.gamma1 = RandomVector(rng, d, 0.2f, 1.0f);
  w.beta1 = RandomVector(rng, d, 0.1f);
  w.gamma2 = RandomVector(rng, d, 0.2f, 1.0f);
  w.beta2 = RandomVector(rng, d, 0.1f);
  return w;
}

std::shared_ptr<const graph::Graph> BuildTransformerBlockGraph(const TransformerDims& dims,
                                                               const TransformerWeights& weights) {
  BlockWriter w;
  const int64_t s = dims.sequence, d = dims.model, h = dims.heads, dh = dims.head();
  const TensorId x = w.Activation("x", {1, s, d});
  w.graph().blocks[0].inputs.push_back(x);

  const TensorId ln1 = LayerNorm(w, "ln1", x, dims, weights.gamma1, weights.beta1, weights.epsilon);
  const TensorId q = Linear(w, "q", ln1, weights.wq, weights.bq, d, d);
  const TensorId k = Linear(w, "k", ln1, weights.wk, weights.bk, d, d);
  const TensorId v = Linear(w, "v", ln1, weights.wv, weights.bv, d, d);
  // Heads: [1, S, D] -> [1, S, H, dh] -> [1, H, S, dh] (K: [1, H, dh, S]) -> [H, S, dh].
  const TensorId qh =
      w.Reshape("q_heads", w.Transpose("q_t", w.Reshape("q_split", q, {1, s, h, dh}), {0, 2, 1, 3}),
                {h, s, dh});
  const TensorId kt =
      w.Reshape("k_heads", w.Transpose("k_t", w.Reshape("k_split", k, {1, s, h, dh}), {0, 2, 3, 1}),
                {h, dh, s});
  const TensorId vh =
      w.Reshape("v_heads", w.Transpose("v_t", w.Reshape("v_split", v, {1, s, h, dh}), {0, 2, 1, 3}),
                {h, s, dh});
  const TensorId scores =
      w.Binary(Op::kMul, "scores", w.Matmul("qk", qh, kt),
               w.Floats("score_scale", {1, 1, 1}, {1.0f / std::sqrt(static_cast<float>(dh))}));
  const TensorId probs = Softmax(w, "probs", scores, 2);
  const TensorId context = w.Reshape(
      "context",
      w.Transpose("context_t", w.Reshape("context_heads", w.Matmul("pv", probs, vh), {1, h, s, dh}),
                  {0, 2, 1, 3}),
      {1, s, d});
  const TensorId attention = Linear(w, "o", context, weights.wo, weights.bo, d, d);
  const TensorId h1 = w.Binary(Op::kAdd, "residual1", x, attention);

  const TensorId ln2 =
      LayerNorm(w, "ln2", h1, dims, weights.gamma2, weights.beta2, weights.epsilon);
  const TensorId f1 = Linear(w, "ffn1", ln2, weights.w1, weights.b1, d, dims.ffn);
  const TensorId relu = w.Activation("ffn1_relu", {1, s, dims.ffn});
  graph::ClampAttr clamp;
  clamp.min_val = RawBytes(std::vector<float>{0.0f, 0.0f});
  clamp.max_val = RawBytes(std::vector<float>{INFINITY, 0.0f});
  w.Emit(Op::kClamp, clamp, {f1}, {relu});
  const TensorId f2 = Linear(w, "ffn2", relu, weights.w2, weights.b2, dims.ffn, d);
  const TensorId y = w.Binary(Op::kAdd, "y", h1, f2);
  w.graph().blocks[0].outputs.push_back(y);

  return w.Finish();
}

Int8FfnWeights RandomInt8FfnWeights(const TransformerDims& dims) {
  std::mt19937 rng(13);
  std::uniform_int_distribution<int> dist(-127, 127);
  Int8FfnWeights w;
  w.w1.resize(static_cast<size_t>(dims.model * dims.ffn));
  w.w2.resize(w.w1.size());
  for (int8_t& v : w.w1) v = static_cast<int8_t>(dist(rng));
  for (int8_t& v : w.w2) v = static_cast<int8_t>(dist(rng));
  // Random int8 sums over `model` (then `ffn` half-zero) products have a spread of ~85k (~66k);
  // these factors (~2^-11) bring them back to a spread of a few tens.
  w.multiplier1 = 1518500250;  // ~2^30.5
  w.shift1 = 42;
  w.multiplier2 = 1518500250;
  w.shift2 = 41;
  return w;
}

std::shared_ptr<const graph::Graph> BuildInt8FfnGraph(const TransformerDims& dims,
                                                      const Int8FfnWeights& weights) {
  BlockWriter w;
  const int64_t s = dims.sequence, d = dims.model, f = dims.ffn;
  const TensorId x = w.Tensor("x", DType::kInt8, {1, s, d});
  w.graph().blocks[0].inputs.push_back(x);
  const TensorId zp8 = w.Constant("zp8", DType::kInt8, {1}, RawBytes(std::vector<int8_t>{0}));
  const TensorId zp32 = w.Constant("zp32", DType::kInt32, {1}, RawBytes(std::vector<int32_t>{0}));
  const auto layer = [&](const std::string& name, TensorId in, const std::vector<int8_t>& weight,
                         int64_t depth, int64_t columns, int32_t multiplier, int8_t shift) {
    const TensorId b = w.Constant(name + "_w", DType::kInt8, {1, depth, columns}, RawBytes(weight));
    const TensorId acc = w.Tensor(name + "_acc", DType::kInt32, {1, s, columns});
    w.Emit(Op::kMatMul, {}, {in, b, zp8, zp8}, {acc});
    const TensorId out = w.Tensor(name, DType::kInt8, {1, s, columns});
    graph::RescaleAttr attr;
    attr.scale32 = true;
    attr.rounding_mode = graph::RoundingMode::kDoubleRound;
    attr.per_channel = false;
    w.Emit(Op::kRescale, attr,
           {acc,
            w.Constant(name + "_multiplier", DType::kInt32, {1},
                       RawBytes(std::vector<int32_t>{multiplier})),
            w.Constant(name + "_shift", DType::kInt8, {1}, RawBytes(std::vector<int8_t>{shift})),
            zp32, zp8},
           {out});
    return out;
  };
  const TensorId hidden = layer("ffn1", x, weights.w1, d, f, weights.multiplier1, weights.shift1);
  const TensorId relu = w.Tensor("ffn1_relu", DType::kInt8, {1, s, f});
  graph::ClampAttr clamp;
  clamp.min_val = RawBytes(std::vector<int8_t>{0, 0, 0, 0, 0, 0, 0, 0});
  clamp.max_val = RawBytes(std::vector<int8_t>{127, 0, 0, 0, 0, 0, 0, 0});
  w.Emit(Op::kClamp, clamp, {hidden}, {relu});
  const TensorId y = layer("ffn2", relu, weights.w2, f, d, weights.multiplier2, weights.shift2);
  w.graph().blocks[0].outputs.push_back(y);
  return w.Finish();
}

}  // namespace inferd::bench
