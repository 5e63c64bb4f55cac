#include "benchmarks/kernels/xnnpack_network.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "benchmarks/kernels/xnnpack_network_base.h"

namespace inferd::bench {
namespace {

using graph::Op;
using graph::TensorId;

const float* FloatData(const graph::Tensor& t) {
  return reinterpret_cast<const float*>(t.data.data());
}

float ClampBound(const std::vector<uint8_t>& bytes) {
  float v = 0;
  std::memcpy(&v, bytes.data(), sizeof v);
  return v;
}

class Fp32Network : public XnnpackNetworkBase {
 public:
  absl::Status Build(const graph::Graph& g, int threads) {
    Begin(g, threads);
    const graph::Block& block = g.main_block();
    const auto& ops = block.operators;
    for (size_t i = 0; i < ops.size(); ++i) {
      const graph::Operator& op = ops[i];
      // A CLAMP right after a convolution is fused into it, as XNNPACK does; a constant ADD after
      // MATMUL becomes the fully-connected operator's bias.
      size_t next_index = i + 1;
      while (next_index < ops.size() &&
             (ops[next_index].op == Op::kConst || ops[next_index].op == Op::kConstShape)) {
        ++next_index;
      }
      const graph::Operator* next = next_index < ops.size() ? &ops[next_index] : nullptr;
      // A fused operator is skipped; the constants before it are not needed (weights are read
      // from the graph).
      const auto skip_next = [&] { i = next_index; };
      float lo = -std::numeric_limits<float>::infinity();
      float hi = std::numeric_limits<float>::infinity();
      TensorId out = op.outputs.empty() ? 0 : op.outputs[0];
      const bool fuse_clamp = next != nullptr && next->op == Op::kClamp && next->inputs[0] == out;
      if (fuse_clamp && (op.op == Op::kConv2d || op.op == Op::kDepthwiseConv2d)) {
        const auto& clamp = std::get<graph::ClampAttr>(next->attribute);
        lo = ClampBound(clamp.min_val);
        hi = ClampBound(clamp.max_val);
        Alias(next->outputs[0], out);
        skip_next();
      }
      xnn_operator_t created = nullptr;
      xnn_status status = xnn_status_success;
      switch (op.op) {
        case Op::kConst:
        case Op::kConstShape:
          continue;
        case Op::kConv2d:
        case Op::kDepthwiseConv2d: {
          const bool depthwise = op.op == Op::kDepthwiseConv2d;
          const graph::Tensor& in = g.tensor(op.inputs[0]);
          const graph::Tensor& w = g.tensor(op.inputs[1]);
          const graph::Tensor& o = g.tensor(out);
          const std::vector<int32_t>& pad =
              depthwise ? std::get<graph::DepthwiseConv2dAttr>(op.attribute).pad
                        : std::get<graph::Conv2dAttr>(op.attribute).pad;
          const std::vector<int32_t>& stride =
              depthwise ? std::get<graph::DepthwiseConv2dAttr>(op.attribute).stride
                        : std::get<graph::Conv2dAttr>(op.attribute).stride;
          const size_t cin = in.shape[3], cout = o.shape[3];
          const uint32_t kh = depthwise ? w.shape[0] : w.shape[1];
          const uint32_t kw = depthwise ? w.shape[1] : w.shape[2];
          status = xnn_create_convolution2d_nhwc_f32(
              pad[0], pad[3], pad[1], pad[2], kh, kw, stride[0], stride[1], 1, 1,
              depthwise ? cin : 1, depthwise ? 1 : cin, depthwise ? 1 : cout, cin, cout,
              FloatData(w), FloatData(g.tensor(op.inputs[2])), lo, hi,
              depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &created);
          if (status == xnn_status_success) {
            status = xnn_setup_convolution2d_nhwc_f32(created, 1, in.shape[1], in.shape[2],
                                                      Buffer<float>(g, op.inputs[0]),
                                                      Buffer<float>(g, out), pool_);
          }
          break;
        }
        case Op::kAdd: {
          const graph::Tensor& o = g.tensor(out);
          std::vector<size_t> shape(o.shape.begin(), o.shape.end());
          status = xnn_create_add_nd_f32(-std::numeric_limits<float>::infinity(),
                                         std::numeric_limits<float>::infinity(), 0, &created);
          if (status == xnn_status_success) {
            status =
                xnn_setup_add_nd_f32(created, shape.size(), shape.data(), shape.size(),
                                     shape.data(), Buffer<float>(g, op.inputs[0]),
                                     Buffer<float>(g, op.inputs[1]), Buffer<float>(g, out), pool_);
          }
          break;
        }
        case Op::kAvgPool2d: {
          const graph::Tensor& in = g.tensor(op.inputs[0]);
          const size_t channels = in.shape[3];
          status = xnn_create_global_average_pooling_nwc_f32(
              channels, channels, channels, -std::numeric_limits<float>::infinity(),
              std::numeric_limits<float>::infinity(), 0, &created);
          if (status == xnn_status_success) {
            status = xnn_setup_global_average_pooling_nwc_f32(created, 1, in.shape[1] * in.shape[2],
                                                              Buffer<float>(g, op.inputs[0]),
                                                              Buffer<float>(g, out), pool_);
          }
          break;
        }
        case Op::kReshape:
          Alias(out, Resolve(op.inputs[0]));
          continue;
        case Op::kMatMul: {
          const graph::Tensor& b = g.tensor(op.inputs[1]);
          const size_t depth = b.shape[1], columns = b.shape[2];
          const float* bias = nullptr;
          if (next != nullptr && next->op == Op::kAdd && next->inputs[0] == out &&
              !g.tensor(next->inputs[1]).data.empty()) {
            bias = FloatData(g.tensor(next->inputs[1]));
            Alias(next->outputs[0], out);
            skip_next();
          }
          // B is [depth, columns]; the operator wants [columns, depth].
          std::vector<float> transposed(depth * columns);
          for (size_t k = 0; k < depth; ++k) {
            for (size_t n = 0; n < columns; ++n)
              transposed[n * depth + k] = FloatData(b)[k * columns + n];
          }
          status = xnn_create_fully_connected_nc_f32(
              depth, columns, depth, columns, transposed.data(), bias,
              -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(), 0,
              &created);
          if (status == xnn_status_success) {
            status = xnn_setup_fully_connected_nc_f32(created, 1, Buffer<float>(g, op.inputs[0]),
                                                      Buffer<float>(g, out), pool_);
          }
          break;
        }
        default:
          return absl::UnimplementedError(absl::StrCat("XNNPACK baseline: no translation for ",
                                                       std::string(graph::OpName(op.op))));
      }
      if (absl::Status kept = Keep(status, created, std::string(graph::OpName(op.op)).c_str());
          !kept.ok()) {
        return kept;
      }
    }
    return absl::OkStatus();
  }
};

}  // namespace

XnnpackNetworkBase::~XnnpackNetworkBase() {
  for (xnn_operator_t op : operators_) xnn_delete_operator(op);
  if (pool_ != nullptr) pthreadpool_destroy(pool_);
}

void XnnpackNetworkBase::Begin(const graph::Graph& g, int threads) {
  if (threads > 1) pool_ = pthreadpool_create(threads);
  input_ = g.main_block().inputs[0];
  output_ = g.main_block().outputs[0];
  Buffer(g, input_);
}

absl::Status XnnpackNetworkBase::Keep(xnn_status status, xnn_operator_t op, const char* what) {
  if (status != xnn_status_success) {
    if (op != nullptr) xnn_delete_operator(op);
    return absl::InternalError(
        absl::StrCat("XNNPACK rejected ", what, ": status ", static_cast<int>(status)));
  }
  operators_.push_back(op);
  return absl::OkStatus();
}

absl::Status XnnpackNetworkBase::Run(std::span<const uint8_t> input, std::span<uint8_t> output) {
  std::vector<uint8_t>& in = buffers_[input_];
  std::memcpy(in.data(), input.data(), std::min(in.size(), input.size()));
  for (xnn_operator_t op : operators_) {
    if (xnn_run_operator(op, pool_) != xnn_status_success) {
      return absl::InternalError("xnn_run_operator failed");
    }
  }
  const std::vector<uint8_t>& out = buffers_[Resolve(output_)];
  std::memcpy(output.data(), out.data(), std::min(out.size(), output.size()));
  return absl::OkStatus();
}

const uint8_t* XnnpackNetworkBase::TensorBytes(TensorId id) const {
  auto it = buffers_.find(Resolve(id));
  return it == buffers_.end() ? nullptr : it->second.data();
}

TensorId XnnpackNetworkBase::Resolve(TensorId id) const {
  auto it = alias_.find(id);
  while (it != alias_.end()) {
    id = it->second;
    it = alias_.find(id);
  }
  return id;
}

uint8_t* XnnpackNetworkBase::Buffer(const graph::Graph& g, TensorId id) {
  id = Resolve(id);
  std::vector<uint8_t>& buffer = buffers_[id];
  if (buffer.empty()) {
    const graph::Tensor& t = g.tensor(id);
    const size_t bytes = static_cast<size_t>(graph::ElementCount(t).value_or(1)) *
                         graph::DTypeDataSize(t.dtype, 1).value_or(4);
    buffer.assign(bytes + 256, 0);
    std::memcpy(buffer.data(), t.data.data(), std::min(t.data.size(), bytes));
  }
  return buffer.data();
}

absl::StatusOr<std::unique_ptr<XnnpackNetwork>> CreateXnnpackNetwork(const graph::Graph& graph,
                                                                     int threads) {
  if (xnn_initialize(nullptr) != xnn_status_success) {
    return absl::UnavailableError("xnn_initialize failed (CPU not supported by XNNPACK?)");
  }
  if (graph.tensor(graph.main_block().inputs[0]).dtype == graph::DType::kInt8) {
    return CreateXnnpackInt8Network(graph, threads);
  }
  auto network = std::make_unique<Fp32Network>();
  if (absl::Status status = network->Build(graph, threads); !status.ok()) return status;
  return network;
}

}  // namespace inferd::bench
