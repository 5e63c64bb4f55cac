// The INT8 MobileNet graph on XNNPACK's quantised operators. TOSA spells requantisation out as
// RESCALE operators (an integer multiplier and shift per channel); XNNPACK folds it into each
// operator as float scales. The translation gives XNNPACK scales whose requantisation factors are
// exactly the RESCALEs' multiplier * 2^-shift:
//
//   CONV2D / DEPTHWISE_CONV2D -> RESCALE (-> CLAMP)     qc8 convolution, input and output scale 1,
//                                                        kernel_scale[c] = the RESCALE's factor
//   RESCALE x2 (INT8->INT32) -> ADD -> RESCALE (->INT8)  qs8 add, input scales = the product of
//                                                        each side's factor and the final one
//   AVG_POOL2D over the whole image                      qs8 global average pooling, scales 1
//   MATMUL -> ADD (constant bias) -> RESCALE             qc8 1x1 convolution (per-channel scales;
//                                                        the qs8 fully-connected has one scale)
//   RESHAPE                                              a view of its input
//
// XNNPACK requantises in single-precision float with round-to-nearest-even (and the residual add
// in fixed point of its own), TOSA in integers with round-half-up through a 64-bit product, so
// individual values may differ by one unit; the benchmark reports how close the outputs are.
#include <xnnpack.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "benchmarks/kernels/xnnpack_network_base.h"

namespace inferd::bench {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;

template <typename T>
std::vector<T> ConstValues(const graph::Graph& g, TensorId id) {
  const graph::Tensor& t = g.tensor(id);
  std::vector<T> values(t.data.size() / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), t.data.data(), values.size() * sizeof(T));
  return values;
}

int32_t ConstScalar(const graph::Graph& g, TensorId id) {
  const graph::Tensor& t = g.tensor(id);
  if (t.data.empty()) return 0;
  switch (t.dtype) {
    case DType::kInt8:
      return static_cast<int8_t>(t.data[0]);
    case DType::kInt32: {
      int32_t v;
      std::memcpy(&v, t.data.data(), sizeof v);
      return v;
    }
    default:
      return 0;
  }
}

// A RESCALE's requantisation factors (multiplier * 2^-shift per channel) and zero points.
struct Requant {
  std::vector<double> factors;
  int32_t input_zp = 0;
  int32_t output_zp = 0;
  double at(size_t c) const { return factors[factors.size() == 1 ? 0 : c]; }
};

Requant RequantOf(const graph::Graph& g, const graph::Operator& rescale) {
  Requant r;
  const std::vector<int32_t> multipliers = ConstValues<int32_t>(g, rescale.inputs[1]);
  const std::vector<int8_t> shifts = ConstValues<int8_t>(g, rescale.inputs[2]);
  for (size_t c = 0; c < multipliers.size() && c < shifts.size(); ++c) {
    r.factors.push_back(std::ldexp(static_cast<double>(multipliers[c]), -shifts[c]));
  }
  r.input_zp = ConstScalar(g, rescale.inputs[3]);
  r.output_zp = ConstScalar(g, rescale.inputs[4]);
  return r;
}

class Int8Network : public XnnpackNetworkBase {
 public:
  absl::Status Build(const graph::Graph& g, int threads) {
    Begin(g, threads);
    const graph::Block& block = g.main_block();
    for (size_t i = 0; i < block.operators.size(); ++i) {
      for (TensorId id : block.operators[i].inputs) consumers_[id].push_back(i);
    }
    std::vector<bool> done(block.operators.size(), false);
    // The residual adds' RESCALEs come before the ADD in execution order: claim them first.
    for (size_t i = 0; i < block.operators.size(); ++i) {
      const graph::Operator& op = block.operators[i];
      if (op.op != Op::kAdd || g.tensor(op.outputs[0]).dtype != DType::kInt32) continue;
      for (TensorId id : op.inputs) {
        if (auto p = Producer(g, id, Op::kRescale)) done[*p] = true;
      }
    }
    for (size_t i = 0; i < block.operators.size(); ++i) {
      if (done[i]) continue;
      const graph::Operator& op = block.operators[i];
      absl::Status status;
      switch (op.op) {
        case Op::kConst:
        case Op::kConstShape:
          continue;
        case Op::kConv2d:
        case Op::kDepthwiseConv2d:
          status = Convolution(g, op, done);
          break;
        case Op::kAdd:
          status = Add(g, op, done);
          break;
        case Op::kAvgPool2d:
          status = GlobalAveragePool(g, op);
          break;
        case Op::kMatMul:
          status = FullyConnected(g, op, done);
          break;
        case Op::kReshape:
          Alias(op.outputs[0], Resolve(op.inputs[0]));
          continue;
        default:
          status = absl::UnimplementedError(absl::StrCat(
              "XNNPACK INT8 baseline: no translation for ", std::string(graph::OpName(op.op))));
      }
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

 private:
  // The one consumer of `id` when it is an `op`, else nullopt.
  std::optional<size_t> SoleConsumer(const graph::Graph& g, TensorId id, Op op) const {
    auto it = consumers_.find(id);
    if (it == consumers_.end() || it->second.size() != 1) return std::nullopt;
    if (g.main_block().operators[it->second[0]].op != op) return std::nullopt;
    return it->second[0];
  }

  std::optional<size_t> Producer(const graph::Graph& g, TensorId id, Op op) const {
    const auto& ops = g.main_block().operators;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].op == op && !ops[i].outputs.empty() && ops[i].outputs[0] == id) return i;
    }
    return std::nullopt;
  }

  // The RESCALE (and optional CLAMP) after an INT32 accumulator: their requantisation, the tensor
  // that ends the chain, and the output range.
  struct Epilogue {
    Requant requant;
    TensorId output = 0;
    int8_t lo = -128, hi = 127;
  };

  absl::StatusOr<Epilogue> TakeEpilogue(const graph::Graph& g, TensorId accumulator,
                                        std::vector<bool>& done) const {
    const auto& ops = g.main_block().operators;
    const std::optional<size_t> rescale = SoleConsumer(g, accumulator, Op::kRescale);
    if (!rescale) {
      return absl::UnimplementedError("XNNPACK INT8 baseline: accumulator without one RESCALE");
    }
    done[*rescale] = true;
    Epilogue e;
    e.requant = RequantOf(g, ops[*rescale]);
    e.output = ops[*rescale].outputs[0];
    if (const std::optional<size_t> clamp = SoleConsumer(g, e.output, Op::kClamp)) {
      const auto& attr = std::get<graph::ClampAttr>(ops[*clamp].attribute);
      e.lo = static_cast<int8_t>(attr.min_val[0]);
      e.hi = static_cast<int8_t>(attr.max_val[0]);
      e.output = ops[*clamp].outputs[0];
      done[*clamp] = true;
    }
    return e;
  }

  // A qc8 convolution whose requantisation factors are `epilogue`'s (input and output scale 1).
  absl::Status CreateConvolution(const graph::Graph& g, uint32_t pads[4], uint32_t kh, uint32_t kw,
                                 uint32_t stride_y, uint32_t stride_x, bool depthwise,
                                 size_t in_channels, size_t out_channels, int32_t input_zp,
                                 const int8_t* kernel, const int32_t* bias, const Epilogue& e,
                                 TensorId input, size_t height, size_t width) {
    std::vector<float> kernel_scale(out_channels);
    for (size_t c = 0; c < out_channels; ++c) {
      kernel_scale[c] = static_cast<float>(e.requant.at(c));
    }
    xnn_operator_t created = nullptr;
    xnn_status status = xnn_create_convolution2d_nhwc_qc8(
        pads[0], pads[3], pads[1], pads[2], kh, kw, stride_y, stride_x, 1, 1,
        depthwise ? in_channels : 1, depthwise ? 1 : in_channels, depthwise ? 1 : out_channels,
        in_channels, out_channels, static_cast<int8_t>(input_zp), 1.0f, kernel_scale.data(), kernel,
        bias, static_cast<int8_t>(e.requant.output_zp), 1.0f, e.lo, e.hi,
        depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &created);
    if (status == xnn_status_success) {
      status = xnn_setup_convolution2d_nhwc_qc8(created, 1, height, width, Buffer<int8_t>(g, input),
                                                Buffer<int8_t>(g, e.output), pool_);
    }
    return Keep(status, created, depthwise ? "DEPTHWISE_CONV2D (qc8)" : "CONV2D (qc8)");
  }

  absl::Status Convolution(const graph::Graph& g, const graph::Operator& op,
                           std::vector<bool>& done) {
    const bool depthwise = op.op == Op::kDepthwiseConv2d;
    const graph::Tensor& in = g.tensor(op.inputs[0]);
    const graph::Tensor& w = g.tensor(op.inputs[1]);
    const graph::Tensor& acc = g.tensor(op.outputs[0]);
    if (ConstScalar(g, op.inputs[4]) != 0) {
      return absl::UnimplementedError("XNNPACK INT8 baseline: qc8 weights are symmetric");
    }
    absl::StatusOr<Epilogue> e = TakeEpilogue(g, op.outputs[0], done);
    if (!e.ok()) return e.status();
    const std::vector<int32_t>& pad = depthwise
                                          ? std::get<graph::DepthwiseConv2dAttr>(op.attribute).pad
                                          : std::get<graph::Conv2dAttr>(op.attribute).pad;
    const std::vector<int32_t>& stride =
        depthwise ? std::get<graph::DepthwiseConv2dAttr>(op.attribute).stride
                  : std::get<graph::Conv2dAttr>(op.attribute).stride;
    uint32_t pads[4];
    for (int k = 0; k < 4; ++k) pads[k] = static_cast<uint32_t>(pad[k]);
    const uint32_t kh = depthwise ? w.shape[0] : w.shape[1];
    const uint32_t kw = depthwise ? w.shape[1] : w.shape[2];
    const std::vector<int32_t> bias = FullBias(g, op.inputs[2], acc.shape[3]);
    return CreateConvolution(g, pads, kh, kw, stride[0], stride[1], depthwise, in.shape[3],
                             acc.shape[3], ConstScalar(g, op.inputs[3]),
                             reinterpret_cast<const int8_t*>(w.data.data()), bias.data(), *e,
                             op.inputs[0], in.shape[1], in.shape[2]);
  }

  // A bias of one value or one per channel, as `channels` values.
  static std::vector<int32_t> FullBias(const graph::Graph& g, TensorId id, size_t channels) {
    std::vector<int32_t> values = ConstValues<int32_t>(g, id);
    if (values.size() == 1) values.assign(channels, values[0]);
    values.resize(channels, 0);
    return values;
  }

  absl::Status Add(const graph::Graph& g, const graph::Operator& op, std::vector<bool>& done) {
    const auto& ops = g.main_block().operators;
    const std::optional<size_t> lhs = Producer(g, op.inputs[0], Op::kRescale);
    const std::optional<size_t> rhs = Producer(g, op.inputs[1], Op::kRescale);
    const std::optional<size_t> out = SoleConsumer(g, op.outputs[0], Op::kRescale);
    if (!lhs || !rhs || !out) {
      return absl::UnimplementedError(
          "XNNPACK INT8 baseline: an INT32 ADD must sit between RESCALEs");
    }
    done[*out] = true;
    const Requant a = RequantOf(g, ops[*lhs]);
    const Requant b = RequantOf(g, ops[*rhs]);
    const Requant c = RequantOf(g, ops[*out]);
    if (a.factors.size() != 1 || b.factors.size() != 1 || c.factors.size() != 1) {
      return absl::UnimplementedError("XNNPACK INT8 baseline: per-channel residual RESCALE");
    }
    const TensorId result = ops[*out].outputs[0];
    std::vector<size_t> shape(g.tensor(result).shape.begin(), g.tensor(result).shape.end());
    xnn_operator_t created = nullptr;
    xnn_status status = xnn_create_add_nd_qs8(
        static_cast<int8_t>(a.input_zp), static_cast<float>(a.at(0) * c.at(0)),
        static_cast<int8_t>(b.input_zp), static_cast<float>(b.at(0) * c.at(0)),
        static_cast<int8_t>(c.output_zp), 1.0f, -128, 127, 0, &created);
    if (status == xnn_status_success) {
      status = xnn_setup_add_nd_qs8(created, shape.size(), shape.data(), shape.size(), shape.data(),
                                    Buffer<int8_t>(g, ops[*lhs].inputs[0]),
                                    Buffer<int8_t>(g, ops[*rhs].inputs[0]),
                                    Buffer<int8_t>(g, result), pool_);
    }
    return Keep(status, created, "ADD (qs8)");
  }

  absl::Status GlobalAveragePool(const graph::Graph& g, const graph::Operator& op) {
    const auto& attr = std::get<graph::AvgPool2dAttr>(op.attribute);
    const graph::Tensor& in = g.tensor(op.inputs[0]);
    if (attr.kernel[0] != in.shape[1] || attr.kernel[1] != in.shape[2]) {
      return absl::UnimplementedError("XNNPACK INT8 baseline: only a global AVG_POOL2D");
    }
    const size_t channels = in.shape[3];
    xnn_operator_t created = nullptr;
    xnn_status status = xnn_create_global_average_pooling_nwc_qs8(
        channels, channels, channels, static_cast<int8_t>(ConstScalar(g, op.inputs[1])), 1.0f,
        static_cast<int8_t>(ConstScalar(g, op.inputs[2])), 1.0f, -128, 127, 0, &created);
    if (status == xnn_status_success) {
      status = xnn_setup_global_average_pooling_nwc_qs8(created, 1, in.shape[1] * in.shape[2],
                                                        Buffer<int8_t>(g, op.inputs[0]),
                                                        Buffer<int8_t>(g, op.outputs[0]), pool_);
    }
    return Keep(status, created, "AVG_POOL2D (qs8 global)");
  }

  absl::Status FullyConnected(const graph::Graph& g, const graph::Operator& op,
                              std::vector<bool>& done) {
    const auto& ops = g.main_block().operators;
    const graph::Tensor& b = g.tensor(op.inputs[1]);
    if (b.shape[0] != 1 || g.tensor(op.inputs[0]).shape[1] != 1 ||
        ConstScalar(g, op.inputs[3]) != 0) {
      return absl::UnimplementedError("XNNPACK INT8 baseline: MATMUL must be 1 x depth x columns");
    }
    const size_t depth = b.shape[1], columns = b.shape[2];
    const std::optional<size_t> add = SoleConsumer(g, op.outputs[0], Op::kAdd);
    if (!add) return absl::UnimplementedError("XNNPACK INT8 baseline: MATMUL without a bias ADD");
    const TensorId bias_id = ops[*add].inputs[ops[*add].inputs[0] == op.outputs[0] ? 1 : 0];
    done[*add] = true;
    absl::StatusOr<Epilogue> e = TakeEpilogue(g, ops[*add].outputs[0], done);
    if (!e.ok()) return e.status();
    // B is [depth, columns]; a 1x1 convolution wants [columns][depth].
    const auto* b_data = reinterpret_cast<const int8_t*>(b.data.data());
    std::vector<int8_t> kernel(depth * columns);
    for (size_t k = 0; k < depth; ++k) {
      for (size_t n = 0; n < columns; ++n) kernel[n * depth + k] = b_data[k * columns + n];
    }
    const std::vector<int32_t> bias = FullBias(g, bias_id, columns);
    uint32_t pads[4] = {0, 0, 0, 0};
    return CreateConvolution(g, pads, 1, 1, 1, 1, false, depth, columns,
                             ConstScalar(g, op.inputs[2]), kernel.data(), bias.data(), *e,
                             op.inputs[0], 1, 1);
  }

  std::map<TensorId, std::vector<size_t>> consumers_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<XnnpackNetwork>> CreateXnnpackInt8Network(const graph::Graph& graph,
                                                                         int threads) {
  auto network = std::make_unique<Int8Network>();
  if (absl::Status status = network->Build(graph, threads); !status.ok()) return status;
  return network;
}

}  // namespace inferd::bench
