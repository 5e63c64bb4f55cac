// The data-layout operators: TRANSPOSE, SLICE, PAD, TILE, REVERSE and CONCAT as dispatches of one
// strided gather (shaders/layout_copy.comp), GATHER and SCATTER as their own shaders. All move
// elements as raw bits, so one variant per element width (1, 2, 4 or 8 bytes) serves every type of
// that width. RESIZE (shaders/resize.comp) too: NEAREST by width, BILINEAR for INT8 -> INT32,
// INT16 -> INT48 and the floats.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/op_lowering_internal.h"

namespace inferd::vulkan {
namespace {

using graph::DType;
using graph::Op;
using namespace lowering;  // NOLINT: the lowering's own helpers

// One dispatch of layout_copy.comp: the walk over `dims` and where each coordinate reads, all in
// the tensor's rank (RightAligned pads them to rank 6 so that padded dimensions read index 0).
struct StridedCopy {
  std::vector<int64_t> dims;        // the iteration space
  std::vector<int64_t> in_dims;     // valid range of each input coordinate
  std::vector<int64_t> in_strides;  // element stride of each input coordinate
  std::vector<int64_t> offsets;     // subtracted from each iteration coordinate
  int64_t in_base = 0;
  int64_t out_base = 0, out_row = 0, out_pitch = 0;  // rows of a CONCAT output; pitch 0: contiguous
  bool tile = false;

  DispatchStep Step(const std::string& shader, graph::TensorId input, graph::TensorId pad,
                    graph::TensorId output) const {
    int64_t total = 1;
    for (int64_t d : dims) total *= d;
    PushConstants params;
    params.Ints(RightAligned(dims, 1)).Ints(RightAligned(in_dims, 1));
    params.Ints(RightAligned(in_strides, 0)).Ints(RightAligned(offsets, 0));
    params.Int(in_base).Int(out_base).Int(out_row).Int(out_pitch).Int(tile ? 1 : 0).Int(total);
    return Dispatch(shader, {T(input), T(pad), T(output)}, params, total);
  }
};

}  // namespace

absl::Status OpLowering::LowerLayout(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const int width = ElementWidth(output.dtype);
  const size_t rank = input.shape.size();
  if (width == 0 || input.dtype != output.dtype || rank > kMaxRank ||
      output.shape.size() > kMaxRank) {
    return NoShader(graph_, op);
  }
  const std::string shader = absl::StrCat("layout_copy_", width * 8);
  const std::vector<int64_t> in_strides = RowMajorStrides(input.shape);
  StridedCopy copy;
  copy.dims = output.shape;
  copy.in_dims = output.shape;
  copy.in_strides = in_strides;
  copy.offsets.assign(rank, 0);
  graph::TensorId pad = op.inputs[0];  // read only by PAD; any buffer fills the binding
  switch (op.op) {
    case Op::kTranspose: {
      const auto& perms = std::get<graph::TransposeAttr>(op.attribute).perms;
      if (perms.size() != rank) return NoShader(graph_, op);
      for (size_t i = 0; i < rank; ++i) copy.in_strides[i] = in_strides[perms[i]];
      break;
    }
    case Op::kSlice: {
      auto start = ShapeValues(graph_, op, 1, rank);
      if (!start.ok()) return start.status();
      for (size_t d = 0; d < rank; ++d) copy.in_base += (*start)[d] * in_strides[d];
      break;
    }
    case Op::kPad: {
      auto padding = ShapeValues(graph_, op, 1, 2 * rank);
      if (!padding.ok()) return padding.status();
      copy.in_dims = input.shape;
      for (size_t d = 0; d < rank; ++d) copy.offsets[d] = (*padding)[2 * d];
      pad = op.inputs[2];
      break;
    }
    case Op::kTile:
      copy.in_dims = input.shape;
      copy.tile = true;
      break;
    case Op::kReverse: {
      const int32_t axis = std::get<graph::ReverseAttr>(op.attribute).axis;
      if (rank == 0) break;
      copy.in_base = (input.shape[axis] - 1) * in_strides[axis];
      copy.in_strides[axis] = -in_strides[axis];
      break;
    }
    default:
      return NoShader(graph_, op);
  }
  if (Elements(output) > 0) steps.push_back(copy.Step(shader, op.inputs[0], pad, op.outputs[0]));
  return absl::OkStatus();
}

absl::Status OpLowering::LowerConcat(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const int width = ElementWidth(output.dtype);
  if (width == 0) return NoShader(graph_, op);
  for (graph::TensorId id : op.inputs) {
    if (graph_.tensor(id).dtype != output.dtype) return NoShader(graph_, op);
  }
  const std::string shader = absl::StrCat("layout_copy_", width * 8);
  // Each input is [outer, its axis size x inner] and lands in the output's rows of
  // [outer, total axis size x inner] at the running offset along the axis.
  const int32_t axis = std::get<graph::ConcatAttr>(op.attribute).axis;
  int64_t outer = 1, inner = 1;
  for (int32_t d = 0; d < axis; ++d) outer *= output.shape[d];
  for (size_t d = axis + 1; d < output.shape.size(); ++d) inner *= output.shape[d];
  const int64_t out_pitch = output.shape.empty() ? 1 : output.shape[axis] * inner;
  int64_t at = 0;
  for (graph::TensorId id : op.inputs) {
    const graph::Tensor& input = graph_.tensor(id);
    const int64_t row = input.shape.empty() ? 1 : input.shape[axis] * inner;
    StridedCopy copy;
    copy.dims = {outer, row};
    copy.in_dims = copy.dims;
    copy.in_strides = {row, 1};
    copy.offsets = {0, 0};
    copy.out_base = at;
    copy.out_row = row;
    copy.out_pitch = out_pitch;
    if (outer * row > 0) steps.push_back(copy.Step(shader, id, id, op.outputs[0]));
    at += row;
  }
  return absl::OkStatus();
}

// GATHER (values, indices -> output) and SCATTER (values_in, indices, input -> values_out): one
// raw-bits shader per element width, addressed by values [N,K,C] and indices [N,W].
absl::Status OpLowering::LowerGather(const graph::Operator& op, std::vector<Step>& steps) {
  const bool scatter = op.op == Op::kScatter;
  const graph::Tensor& values = graph_.tensor(op.inputs[0]);
  const graph::Tensor& indices = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const int width = ElementWidth(values.dtype);
  if (width == 0 || indices.dtype != DType::kInt32 || values.shape.size() != 3 ||
      indices.shape.size() != 2) {
    return NoShader(graph_, op);
  }
  PushConstants params;
  params.Int(values.shape[1]).Int(indices.shape[1]).Int(values.shape[2]).Int(Elements(output));
  std::vector<BufferRef> buffers = {T(op.inputs[0]), T(op.inputs[1])};
  if (scatter) buffers.push_back(T(op.inputs[2]));
  buffers.push_back(T(op.outputs[0]));
  if (Elements(output) > 0) {
    steps.push_back(Dispatch(absl::StrCat(scatter ? "scatter_" : "gather_", width * 8),
                             std::move(buffers), params, Elements(output)));
  }
  return absl::OkStatus();
}

absl::Status OpLowering::LowerResize(const graph::Operator& op, std::vector<Step>& steps) {
  const bool bilinear =
      std::get<graph::ResizeAttr>(op.attribute).mode == graph::ResizeMode::kBilinear;
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  std::string shader;
  if (!bilinear && input.dtype == output.dtype &&
      (input.dtype == DType::kInt8 || input.dtype == DType::kInt16 || input.dtype == DType::kFp16 ||
       input.dtype == DType::kBf16 || input.dtype == DType::kFp32)) {
    shader = absl::StrCat("resize_nearest_", ElementWidth(input.dtype) * 8);
  } else if (bilinear && input.dtype == DType::kInt8 && output.dtype == DType::kInt32) {
    shader = "resize_bilinear_i8";
  } else if (bilinear && input.dtype == DType::kInt16 && output.dtype == DType::kInt48) {
    shader = "resize_bilinear_i16_i48";  // INT48 held as int64 (stored_form.h)
  } else if (bilinear && IsFloat(input.dtype) && output.dtype == input.dtype) {
    shader = absl::StrCat("resize_bilinear_", TypeSuffix(input.dtype));
  } else {
    return NoShader(graph_, op);
  }
  auto scale = ShapeValues(graph_, op, 1, 4);
  if (!scale.ok()) return scale.status();
  auto offset = ShapeValues(graph_, op, 2, 2);
  if (!offset.ok()) return offset.status();
  // As on the CPU: the specification caps image sizes so that positions fit int32.
  if (std::max({input.shape[1], input.shape[2], output.shape[1], output.shape[2]}) >= 16384) {
    return absl::InvalidArgumentError("RESIZE images must be smaller than 16384 in each dimension");
  }
  PushConstants params;
  params.Int(input.shape[1]).Int(input.shape[2]).Int(input.shape[3]);
  params.Int(output.shape[1]).Int(output.shape[2]).Ints(*scale).Ints(*offset).Int(Elements(output));
  if (Elements(output) > 0) {
    steps.push_back(
        Dispatch(std::move(shader), {T(op.inputs[0]), T(op.outputs[0])}, params, Elements(output)));
  }
  return absl::OkStatus();
}

}  // namespace inferd::vulkan
