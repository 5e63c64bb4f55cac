#include "firmware/host/cpu_job_lowering.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/ethosu/protocol/inferd_target_protocol.h"
#include "firmware/executors/cpu_job/cpu_job_format.h"

namespace inferd::firmware {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;

std::optional<CpuJobDType> ToJobType(DType dtype) {
  switch (dtype) {
    case DType::kInt8:
      return CpuJobDType::kInt8;
    case DType::kInt16:
      return CpuJobDType::kInt16;
    case DType::kInt32:
      return CpuJobDType::kInt32;
    case DType::kInt48:
      return CpuJobDType::kInt48;
    default:
      return std::nullopt;
  }
}

class Lowering {
 public:
  explicit Lowering(const graph::Graph& graph)
      : graph_(graph), job_ids_(graph.tensors.size(), kCpuJobNoTensor) {}

  absl::StatusOr<std::vector<uint8_t>> Run();

 private:
  std::string Where(const graph::Operator& op) const {
    return absl::StrCat(std::string(graph::OpName(op.op)), " producing tensor '",
                        graph_.tensor(op.outputs[0]).name, "'");
  }
  absl::Status Unsupported(const graph::Operator& op, const std::string& why) const {
    return absl::UnimplementedError(
        absl::StrCat("the target's cpu executor cannot run ", Where(op), ": ", why));
  }
  // The job index of a graph tensor, adding it on first use.
  absl::StatusOr<uint32_t> Tensor(TensorId id);
  // The value of a one-element constant operand (zero points).
  absl::StatusOr<int32_t> ConstInt(const graph::Operator& op, size_t operand, DType as);
  absl::Status LowerOp(const graph::Operator& op);
  // Places every scratch tensor: tensors whose lifetimes (first write to last read, in operation
  // order) overlap never share bytes, the others may, so the arena is as small as greedy
  // first-fit (largest first) makes it.
  void PlanScratch();
  absl::Status Emit(const graph::Operator& op, CpuJobOpKind kind,
                    std::initializer_list<size_t> operands, std::initializer_list<int32_t> params);

  const graph::Graph& graph_;
  std::vector<uint32_t> job_ids_;
  std::vector<CpuJobTensor> tensors_;
  std::vector<CpuJobOp> ops_;
  std::vector<uint8_t> constants_;
  uint32_t scratch_bytes_ = 0;
  // Per job tensor: the graph tensor it came from.
  std::vector<TensorId> graph_ids_;
};

absl::StatusOr<uint32_t> Lowering::Tensor(TensorId id) {
  if (job_ids_[id] != kCpuJobNoTensor) return job_ids_[id];
  const graph::Tensor& t = graph_.tensor(id);
  const std::optional<CpuJobDType> dtype = ToJobType(t.dtype);
  if (!dtype || t.shape.size() > kCpuJobMaxRank) {
    return absl::UnimplementedError(absl::StrCat("tensor '", t.name, "' of type ",
                                                 std::string(graph::DTypeName(t.dtype)),
                                                 " cannot be held by the target's cpu executor"));
  }
  CpuJobTensor out = {};
  out.dtype = static_cast<uint8_t>(*dtype);
  out.rank = static_cast<uint8_t>(t.shape.size());
  int64_t elements = 1;
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (t.shape[i] < 1 || t.shape[i] > std::numeric_limits<int32_t>::max()) {
      return absl::UnimplementedError(absl::StrCat("tensor '", t.name, "' has an empty dimension"));
    }
    out.dims[i] = static_cast<int32_t>(t.shape[i]);
    elements *= t.shape[i];
  }
  const int64_t bytes = elements * CpuJobElementBytes(out.dtype);
  if (bytes > std::numeric_limits<int32_t>::max()) {
    return absl::ResourceExhaustedError(absl::StrCat("tensor '", t.name, "' is too large"));
  }
  out.size_bytes = static_cast<uint32_t>(bytes);
  if (!t.data.empty()) {
    if (t.dtype == DType::kInt48) {
      return absl::UnimplementedError(
          absl::StrCat("INT48 constant '", t.name, "' is not supported by the cpu executor"));
    }
    out.storage = static_cast<uint8_t>(CpuJobStorage::kConstant);
    out.offset = static_cast<uint32_t>(constants_.size());
    constants_.insert(constants_.end(), t.data.begin(), t.data.end());
    constants_.resize(CpuJobAlign(static_cast<uint32_t>(constants_.size())), 0);
  } else {
    out.storage = static_cast<uint8_t>(CpuJobStorage::kScratch);
    out.offset = 0;  // PlanScratch places it
  }
  job_ids_[id] = static_cast<uint32_t>(tensors_.size());
  tensors_.push_back(out);
  graph_ids_.push_back(id);
  return job_ids_[id];
}

absl::StatusOr<int32_t> Lowering::ConstInt(const graph::Operator& op, size_t operand, DType as) {
  const graph::Tensor& t = graph_.tensor(op.inputs[operand]);
  if (t.data.empty())
    return Unsupported(op, absl::StrCat("operand '", t.name, "' is not constant"));
  switch (as) {
    case DType::kInt8:
      return static_cast<int8_t>(t.data[0]);
    case DType::kInt16: {
      int16_t v;
      std::memcpy(&v, t.data.data(), sizeof v);
      return v;
    }
    case DType::kInt32: {
      int32_t v;
      std::memcpy(&v, t.data.data(), sizeof v);
      return v;
    }
    default:
      return Unsupported(op, "zero point of an unsupported type");
  }
}

absl::Status Lowering::Emit(const graph::Operator& op, CpuJobOpKind kind,
                            std::initializer_list<size_t> operands,
                            std::initializer_list<int32_t> params) {
  CpuJobOp out = {};
  out.kind = static_cast<uint32_t>(kind);
  for (uint32_t& id : out.operands) id = kCpuJobNoTensor;
  size_t n = 0;
  for (size_t operand : operands) {
    absl::StatusOr<uint32_t> id = Tensor(op.inputs[operand]);
    if (!id.ok()) return id.status();
    out.operands[n++] = *id;
  }
  absl::StatusOr<uint32_t> result = Tensor(op.outputs[0]);
  if (!result.ok()) return result.status();
  out.result = *result;
  n = 0;
  for (int32_t p : params) out.params[n++] = p;
  ops_.push_back(out);
  return absl::OkStatus();
}

int32_t Dim(const graph::Tensor& t, size_t i) { return static_cast<int32_t>(t.shape[i]); }

absl::Status Lowering::LowerOp(const graph::Operator& op) {
  auto type = [&](size_t operand) { return graph_.tensor(op.inputs[operand]).dtype; };
  const graph::Tensor* output = op.outputs.empty() ? nullptr : &graph_.tensor(op.outputs[0]);
  switch (op.op) {
    case Op::kConst:
    case Op::kConstShape:
      return absl::OkStatus();
    case Op::kConv2d:
    case Op::kDepthwiseConv2d: {
      const bool depthwise = op.op == Op::kDepthwiseConv2d;
      if (type(0) != DType::kInt8 || type(1) != DType::kInt8 || output->dtype != DType::kInt32) {
        return Unsupported(op, "only INT8 x INT8 -> INT32 convolutions run on the target");
      }
      const auto& in = graph_.tensor(op.inputs[0]);
      const auto& w = graph_.tensor(op.inputs[1]);
      const auto& bias = graph_.tensor(op.inputs[2]);
      absl::StatusOr<int32_t> izp = ConstInt(op, 3, DType::kInt8);
      absl::StatusOr<int32_t> wzp = ConstInt(op, 4, DType::kInt8);
      if (!izp.ok()) return izp.status();
      if (!wzp.ok()) return wzp.status();
      const std::vector<int32_t>& pad = depthwise
                                            ? std::get<graph::DepthwiseConv2dAttr>(op.attribute).pad
                                            : std::get<graph::Conv2dAttr>(op.attribute).pad;
      const std::vector<int32_t>& stride =
          depthwise ? std::get<graph::DepthwiseConv2dAttr>(op.attribute).stride
                    : std::get<graph::Conv2dAttr>(op.attribute).stride;
      const std::vector<int32_t>& dilation =
          depthwise ? std::get<graph::DepthwiseConv2dAttr>(op.attribute).dilation
                    : std::get<graph::Conv2dAttr>(op.attribute).dilation;
      if (!depthwise) {
        return Emit(op, CpuJobOpKind::kConv2dInt8, {0, 1, 2},
                    {Dim(in, 0),      Dim(in, 1),  Dim(in, 2),   Dim(in, 3), Dim(*output, 1),
                     Dim(*output, 2), Dim(w, 0),   Dim(w, 1),    Dim(w, 2),  pad[0],
                     pad[1],          pad[2],      pad[3],       stride[0],  stride[1],
                     dilation[0],     dilation[1], Dim(bias, 0), *izp,       *wzp});
      }
      return Emit(op, CpuJobOpKind::kDepthwiseConv2dInt8, {0, 1, 2},
                  {Dim(in, 0),      Dim(in, 1),      Dim(in, 2),   Dim(in, 3), Dim(w, 3),
                   Dim(*output, 1), Dim(*output, 2), Dim(w, 0),    Dim(w, 1),  pad[0],
                   pad[1],          pad[2],          pad[3],       stride[0],  stride[1],
                   dilation[0],     dilation[1],     Dim(bias, 0), *izp,       *wzp});
    }
    case Op::kMatMul: {
      if (type(0) != DType::kInt8 || output->dtype != DType::kInt32) {
        return Unsupported(op, "only INT8 x INT8 -> INT32 MATMUL runs on the target");
      }
      const auto& a = graph_.tensor(op.inputs[0]);
      const auto& b = graph_.tensor(op.inputs[1]);
      absl::StatusOr<int32_t> azp = ConstInt(op, 2, DType::kInt8);
      absl::StatusOr<int32_t> bzp = ConstInt(op, 3, DType::kInt8);
      if (!azp.ok()) return azp.status();
      if (!bzp.ok()) return bzp.status();
      return Emit(op, CpuJobOpKind::kMatmulInt8, {0, 1},
                  {Dim(a, 0), Dim(a, 1), Dim(a, 2), Dim(b, 2), *azp, *bzp});
    }
    case Op::kRescale: {
      const auto& attr = std::get<graph::RescaleAttr>(op.attribute);
      const auto& in = graph_.tensor(op.inputs[0]);
      if (in.dtype == DType::kInt48 || !ToJobType(in.dtype) || !ToJobType(output->dtype)) {
        return Unsupported(op, "RESCALE types other than INT8/16/32 in and out");
      }
      absl::StatusOr<int32_t> izp = ConstInt(op, 3, in.dtype);
      absl::StatusOr<int32_t> ozp = ConstInt(op, 4, output->dtype);
      if (!izp.ok()) return izp.status();
      if (!ozp.ok()) return ozp.status();
      int32_t rounding = 0;
      switch (attr.rounding_mode) {
        case graph::RoundingMode::kSingleRound:
          rounding = 0;
          break;
        case graph::RoundingMode::kInexactRound:
          rounding = 1;
          break;
        case graph::RoundingMode::kDoubleRound:
          rounding = 2;
          break;
        default:
          return Unsupported(op, "rounding mode UNKNOWN");
      }
      const int32_t channels =
          attr.per_channel && !in.shape.empty() ? Dim(in, in.shape.size() - 1) : 1;
      return Emit(op, CpuJobOpKind::kRescale, {0, 1, 2},
                  {channels, *izp, *ozp, attr.scale32 ? 1 : 0, attr.per_channel ? 1 : 0,
                   attr.input_unsigned ? 1 : 0, attr.output_unsigned ? 1 : 0, rounding});
    }
    case Op::kClamp: {
      const auto& attr = std::get<graph::ClampAttr>(op.attribute);
      if (type(0) == DType::kInt8) {
        return Emit(op, CpuJobOpKind::kClamp, {0},
                    {static_cast<int8_t>(attr.min_val[0]), static_cast<int8_t>(attr.max_val[0])});
      }
      if (type(0) == DType::kInt16) {
        int16_t lo, hi;
        std::memcpy(&lo, attr.min_val.data(), sizeof lo);
        std::memcpy(&hi, attr.max_val.data(), sizeof hi);
        return Emit(op, CpuJobOpKind::kClamp, {0}, {lo, hi});
      }
      return Unsupported(op, "only INT8/INT16 CLAMP runs on the target");
    }
    case Op::kMaxPool2d:
    case Op::kAvgPool2d: {
      const bool average = op.op == Op::kAvgPool2d;
      const auto& in = graph_.tensor(op.inputs[0]);
      int32_t izp = 0, ozp = 0;
      std::vector<int32_t> kernel, stride, pad;
      if (average) {
        const auto& attr = std::get<graph::AvgPool2dAttr>(op.attribute);
        if (in.dtype != DType::kInt8 || attr.acc_type != DType::kInt32) {
          return Unsupported(op,
                             "only INT8 AVG_POOL2D with an INT32 accumulator runs on the target");
        }
        absl::StatusOr<int32_t> i = ConstInt(op, 1, DType::kInt8);
        absl::StatusOr<int32_t> o = ConstInt(op, 2, DType::kInt8);
        if (!i.ok()) return i.status();
        if (!o.ok()) return o.status();
        izp = *i;
        ozp = *o;
        kernel = attr.kernel;
        stride = attr.stride;
        pad = attr.pad;
      } else {
        const auto& attr = std::get<graph::MaxPool2dAttr>(op.attribute);
        if (in.dtype != DType::kInt8 && in.dtype != DType::kInt16) {
          return Unsupported(op, "only INT8/INT16 MAX_POOL2D runs on the target");
        }
        kernel = attr.kernel;
        stride = attr.stride;
        pad = attr.pad;
      }
      return Emit(
          op, average ? CpuJobOpKind::kAvgPool2dInt8 : CpuJobOpKind::kMaxPool2d, {0},
          {Dim(in, 0), Dim(in, 1), Dim(in, 2), Dim(in, 3), Dim(*output, 1), Dim(*output, 2),
           kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], pad[2], pad[3], izp, ozp});
    }
    case Op::kAdd:
    case Op::kSub: {
      if (type(0) != DType::kInt32) return Unsupported(op, "only INT32 ADD/SUB run on the target");
      const auto& a = graph_.tensor(op.inputs[0]);
      const auto& b = graph_.tensor(op.inputs[1]);
      const auto rank = static_cast<int32_t>(output->shape.size());
      int32_t p[1 + 3 * kCpuJobMaxRank] = {rank};
      for (int32_t i = 0; i < rank; ++i) {
        p[1 + i] = Dim(*output, i);
        p[7 + i] = Dim(a, i);
        p[13 + i] = Dim(b, i);
      }
      return Emit(op, op.op == Op::kAdd ? CpuJobOpKind::kAddInt32 : CpuJobOpKind::kSubInt32, {0, 1},
                  {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12],
                   p[13], p[14], p[15], p[16], p[17], p[18]});
    }
    case Op::kReshape:
    case Op::kIdentity:
      return Emit(op, CpuJobOpKind::kCopy, {0}, {});
    case Op::kTranspose: {
      const auto& attr = std::get<graph::TransposeAttr>(op.attribute);
      int32_t p[1 + kCpuJobMaxRank] = {static_cast<int32_t>(attr.perms.size())};
      for (size_t i = 0; i < attr.perms.size() && i < kCpuJobMaxRank; ++i) p[1 + i] = attr.perms[i];
      return Emit(op, CpuJobOpKind::kTranspose, {0}, {p[0], p[1], p[2], p[3], p[4], p[5], p[6]});
    }
    default:
      return Unsupported(op, "no cpu-job kernel for this operator");
  }
}

void Lowering::PlanScratch() {
  constexpr int64_t kForever = std::numeric_limits<int64_t>::max();
  const size_t count = tensors_.size();
  std::vector<int64_t> first(count, kForever), last(count, -1);
  auto job_id = [&](TensorId id) { return job_ids_[id]; };
  // Graph inputs are written before the first operation, outputs read after the last.
  for (TensorId id : graph_.main_block().inputs) first[job_id(id)] = -1;
  for (TensorId id : graph_.main_block().outputs) last[job_id(id)] = kForever;
  for (size_t i = 0; i < ops_.size(); ++i) {
    const auto at = static_cast<int64_t>(i);
    for (uint32_t operand : ops_[i].operands) {
      if (operand != kCpuJobNoTensor) last[operand] = std::max(last[operand], at);
    }
    first[ops_[i].result] = std::min(first[ops_[i].result], at);
    last[ops_[i].result] = std::max(last[ops_[i].result], at);
  }
  std::vector<uint32_t> order;
  for (uint32_t t = 0; t < count; ++t) {
    if (tensors_[t].storage == static_cast<uint8_t>(CpuJobStorage::kScratch)) order.push_back(t);
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return tensors_[a].size_bytes > tensors_[b].size_bytes;
  });
  std::vector<uint32_t> placed;
  scratch_bytes_ = 0;
  for (uint32_t t : order) {
    // Lowest aligned offset that clears every placed tensor alive at the same time.
    uint32_t offset = 0;
    for (bool moved = true; moved;) {
      moved = false;
      for (uint32_t p : placed) {
        const bool overlap_in_time = first[t] <= last[p] && first[p] <= last[t];
        const uint32_t p_end = tensors_[p].offset + tensors_[p].size_bytes;
        const bool overlap_in_space =
            offset < p_end && tensors_[p].offset < offset + tensors_[t].size_bytes;
        if (overlap_in_time && overlap_in_space) {
          offset = CpuJobAlign(p_end);
          moved = true;
        }
      }
    }
    tensors_[t].offset = offset;
    placed.push_back(t);
    scratch_bytes_ = std::max(scratch_bytes_, CpuJobAlign(offset + tensors_[t].size_bytes));
  }
}

template <typename T>
void Append(std::vector<uint8_t>& out, const T* items, size_t count) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(items);
  out.insert(out.end(), bytes, bytes + sizeof(T) * count);
}

absl::StatusOr<std::vector<uint8_t>> Lowering::Run() {
  const graph::Block& main = graph_.main_block();
  if (main.inputs.size() > INFERD_TP_MAX_TENSORS || main.outputs.size() > INFERD_TP_MAX_TENSORS ||
      main.outputs.empty()) {
    return absl::UnimplementedError("the target runs graphs with 1 to 8 outputs and <= 8 inputs");
  }
  std::vector<uint32_t> io;
  for (TensorId id : main.inputs) {
    absl::StatusOr<uint32_t> job_id = Tensor(id);
    if (!job_id.ok()) return job_id.status();
    io.push_back(*job_id);
  }
  for (const graph::Operator& op : main.operators) {
    if (absl::Status status = LowerOp(op); !status.ok()) return status;
  }
  for (TensorId id : main.outputs) {
    absl::StatusOr<uint32_t> job_id = Tensor(id);
    if (!job_id.ok()) return job_id.status();
    if (tensors_[*job_id].storage != static_cast<uint8_t>(CpuJobStorage::kScratch)) {
      return absl::UnimplementedError("a graph output that is a constant is not supported");
    }
    io.push_back(*job_id);
  }
  PlanScratch();
  CpuJobHeader header = {};
  header.magic = kCpuJobMagic;
  header.version = kCpuJobVersion;
  header.tensor_count = static_cast<uint32_t>(tensors_.size());
  header.op_count = static_cast<uint32_t>(ops_.size());
  header.input_count = static_cast<uint32_t>(main.inputs.size());
  header.output_count = static_cast<uint32_t>(main.outputs.size());
  header.scratch_bytes = scratch_bytes_;
  header.const_bytes = static_cast<uint32_t>(constants_.size());
  std::vector<uint8_t> out;
  Append(out, &header, 1);
  Append(out, tensors_.data(), tensors_.size());
  Append(out, io.data(), io.size());
  out.resize(CpuJobAlign(static_cast<uint32_t>(out.size())), 0);
  Append(out, ops_.data(), ops_.size());
  out.resize(CpuJobAlign(static_cast<uint32_t>(out.size())), 0);
  header.const_offset = static_cast<uint32_t>(out.size());
  out.insert(out.end(), constants_.begin(), constants_.end());
  std::memcpy(out.data(), &header, sizeof header);
  return out;
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> LowerToCpuJob(const graph::Graph& graph) {
  return Lowering(graph).Run();
}

}  // namespace inferd::firmware
