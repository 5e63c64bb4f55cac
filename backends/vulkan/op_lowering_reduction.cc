// The reductions along one axis: REDUCE_SUM / MAX / MIN / PRODUCT / ANY / ALL and ARGMAX, all
// through shaders/reduce.comp (one invocation per output element folding the axis in order).
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

// reduce.comp's operator codes.
enum ReduceCode : int {
  kSum = 0,
  kMax = 1,
  kMin = 2,
  kProduct = 3,
  kAny = 4,
  kAll = 5,
  kArgMax = 6
};

// The axis, the shader's code and whether `type` is one TOSA 1.0 (and the CPU backend) takes.
struct Reduction {
  int32_t axis = 0;
  int code = 0;
  graph::NanMode nan_mode = graph::NanMode::kPropagate;
  bool typed = false;
};

Reduction Describe(const graph::Operator& op, DType type) {
  const bool integer = IsInteger(type);
  switch (op.op) {
    case Op::kReduceSum:
      return {std::get<graph::ReduceSumAttr>(op.attribute).axis, kSum, graph::NanMode::kPropagate,
              type == DType::kInt32 || IsFloat(type)};
    case Op::kReduceProduct:
      return {std::get<graph::ReduceProductAttr>(op.attribute).axis, kProduct,
              graph::NanMode::kPropagate, IsFloat(type)};
    case Op::kReduceMax: {
      const auto& attr = std::get<graph::ReduceMaxAttr>(op.attribute);
      return {attr.axis, kMax, attr.nan_mode, integer || IsFloat(type)};
    }
    case Op::kReduceMin: {
      const auto& attr = std::get<graph::ReduceMinAttr>(op.attribute);
      return {attr.axis, kMin, attr.nan_mode, integer || IsFloat(type)};
    }
    case Op::kReduceAny:
      return {std::get<graph::ReduceAnyAttr>(op.attribute).axis, kAny, graph::NanMode::kPropagate,
              type == DType::kBool};
    case Op::kReduceAll:
      return {std::get<graph::ReduceAllAttr>(op.attribute).axis, kAll, graph::NanMode::kPropagate,
              type == DType::kBool};
    default: {  // ARGMAX
      const auto& attr = std::get<graph::ArgMaxAttr>(op.attribute);
      return {attr.axis, kArgMax, attr.nan_mode,
              type == DType::kInt8 || type == DType::kInt16 || IsFloat(type) || IsFp8(type)};
    }
  }
}

}  // namespace

absl::Status OpLowering::LowerReduction(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const Reduction reduction = Describe(op, input.dtype);
  const bool argmax = op.op == Op::kArgMax;
  if (!reduction.typed || (argmax ? output.dtype != DType::kInt32 : output.dtype != input.dtype) ||
      reduction.axis < 0 || static_cast<size_t>(reduction.axis) >= input.shape.size()) {
    return NoShader(graph_, op);
  }
  int64_t inner = 1;
  for (size_t d = reduction.axis + 1; d < input.shape.size(); ++d) inner *= input.shape[d];
  PushConstants params;
  params.Int(input.shape[reduction.axis]).Int(inner).Int(reduction.code);
  params.Int(static_cast<int>(reduction.nan_mode)).Int(Elements(output));
  if (Elements(output) > 0) {
    steps.push_back(Dispatch(absl::StrCat(argmax ? "argmax_" : "reduce_", TypeSuffix(input.dtype)),
                             {T(op.inputs[0]), T(op.outputs[0])}, params, Elements(output)));
  }
  return absl::OkStatus();
}

}  // namespace inferd::vulkan
