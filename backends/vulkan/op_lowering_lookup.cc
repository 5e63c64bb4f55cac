// TABLE (shaders/table.comp) and AVG_POOL2D (shaders/avg_pool2d.comp): the operators whose
// integer results come from the specification's fixed-point helpers (the INT16 table's
// interpolation, reciprocal_scale and apply_scale_32) rather than plain arithmetic.
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/op_lowering_internal.h"

namespace inferd::vulkan {

using graph::DType;
using namespace lowering;  // NOLINT: the lowering's own helpers

absl::Status OpLowering::LowerTable(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& table = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  std::string variant;
  if (input.dtype == DType::kInt8 && table.dtype == DType::kInt8 && output.dtype == DType::kInt8 &&
      Elements(table) == 256) {
    variant = "table_i8";
  } else if (input.dtype == DType::kInt16 && table.dtype == DType::kInt16 &&
             output.dtype == DType::kInt32 && Elements(table) == 513) {
    variant = "table_i16";
  } else {
    return NoShader(graph_, op);
  }
  PushConstants params;
  params.Int(Elements(output));
  if (Elements(output) > 0) {
    steps.push_back(Dispatch(variant, {T(op.inputs[0]), T(op.inputs[1]), T(op.outputs[0])}, params,
                             Elements(output)));
  }
  return absl::OkStatus();
}

absl::Status OpLowering::LowerAvgPool(const graph::Operator& op, std::vector<Step>& steps) {
  const auto& attr = std::get<graph::AvgPool2dAttr>(op.attribute);
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const bool integer = (input.dtype == DType::kInt8 || input.dtype == DType::kInt16) &&
                       attr.acc_type == DType::kInt32;
  // Floats sum in fp32 whatever the accumulator type (FP16's, BF16's or FP8's): at least as
  // precise as the specification asks.
  const bool floating = IsFloat(input.dtype) || IsFp8(input.dtype);
  if ((!integer && !floating) || output.dtype != input.dtype) return NoShader(graph_, op);
  int64_t input_zp = 0, output_zp = 0, out_min = 0, out_max = 0;
  // Zero points the graph computes (EXT-DYNAMIC): the "_dzp" shader reads their tensors.
  bool dynamic_zero_points = false;
  if (integer) {
    const std::optional<std::pair<int64_t, int64_t>> zero_points =
        ConstantZeroPoints(op.inputs[1], op.inputs[2]);
    dynamic_zero_points = !zero_points.has_value();
    if (zero_points.has_value()) std::tie(input_zp, output_zp) = *zero_points;
    std::tie(out_min, out_max) = SignedRange(input.dtype);
  }
  PushConstants params;
  params.Int(input.shape[1]).Int(input.shape[2]).Int(input.shape[3]);
  params.Int(output.shape[1]).Int(output.shape[2]).Int(attr.kernel[0]).Int(attr.kernel[1]);
  params.Int(attr.stride[0]).Int(attr.stride[1]).Int(attr.pad[0]).Int(attr.pad[2]);
  params.Int(input_zp).Int(output_zp).Int(out_min).Int(out_max).Int(Elements(output));
  std::vector<BufferRef> buffers = {T(op.inputs[0]), T(op.outputs[0])};
  if (dynamic_zero_points) {
    buffers.push_back(T(op.inputs[1]));
    buffers.push_back(T(op.inputs[2]));
  }
  if (Elements(output) > 0) {
    steps.push_back(Dispatch(
        absl::StrCat("avg_pool2d_", TypeSuffix(input.dtype), dynamic_zero_points ? "_dzp" : ""),
        std::move(buffers), params, Elements(output)));
  }
  return absl::OkStatus();
}

}  // namespace inferd::vulkan
