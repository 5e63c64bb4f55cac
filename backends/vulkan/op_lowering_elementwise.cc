// The elementwise operators: binary ones with broadcasting (arithmetic, INTDIV, bitwise, shifts,
// comparisons, logical, POW) through shaders/elementwise_binary.comp, unary ones through
// shaders/elementwise_unary.comp, SELECT and CAST. Which operator a dispatch computes is a push
// constant; the variant fixes the element types.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/op_lowering_internal.h"

namespace inferd::vulkan {
namespace {

using graph::DType;
using graph::Op;
using namespace lowering;  // NOLINT: the lowering's own helpers

// An operator and the code its shader (elementwise_binary.comp or elementwise_unary.comp) gives it.
struct OpCode {
  Op op;
  int code;
};

// elementwise_binary.comp's codes; ARITHMETIC_RIGHT_SHIFT with round is 12.
constexpr OpCode kBinaryCodes[] = {{Op::kAdd, 0},
                                   {Op::kSub, 1},
                                   {Op::kMul, 2},
                                   {Op::kMaximum, 3},
                                   {Op::kMinimum, 4},
                                   {Op::kIntDiv, 5},
                                   {Op::kBitwiseAnd, 6},
                                   {Op::kBitwiseOr, 7},
                                   {Op::kBitwiseXor, 8},
                                   {Op::kLogicalLeftShift, 9},
                                   {Op::kLogicalRightShift, 10},
                                   {Op::kArithmeticRightShift, 11},
                                   {Op::kEqual, 13},
                                   {Op::kGreater, 14},
                                   {Op::kGreaterEqual, 15},
                                   {Op::kLogicalAnd, 16},
                                   {Op::kLogicalOr, 17},
                                   {Op::kLogicalXor, 18},
                                   {Op::kPow, 19}};
constexpr int kArithmeticRightShiftRound = 12;

// elementwise_unary.comp's codes.
constexpr OpCode kUnaryCodes[] = {
    {Op::kAbs, 0},        {Op::kNegate, 1},   {Op::kBitwiseNot, 2}, {Op::kClz, 3},
    {Op::kLogicalNot, 4}, {Op::kCeil, 5},     {Op::kFloor, 6},      {Op::kCos, 7},
    {Op::kSin, 8},        {Op::kExp, 9},      {Op::kLog, 10},       {Op::kReciprocal, 11},
    {Op::kRsqrt, 12},     {Op::kSigmoid, 13}, {Op::kTanh, 14},      {Op::kErf, 15}};

template <size_t N>
std::optional<int> CodeOf(const OpCode (&codes)[N], Op op) {
  for (const OpCode& entry : codes) {
    if (entry.op == op) return entry.code;
  }
  return std::nullopt;
}

// The binary shader variant for `op` on operands of `in` giving `out`, or "" when none takes them
// (TOSA 1.0's type rules, as the CPU backend binds them).
std::string BinaryVariant(Op op, DType in, DType out) {
  switch (op) {
    case Op::kAdd:
    case Op::kSub:
    case Op::kMaximum:
    case Op::kMinimum:
      if (in != out || (in != DType::kInt32 && !IsFloat(in))) return "";
      return absl::StrCat("binary_", TypeSuffix(in));
    case Op::kMul:
      if (in == DType::kInt32 && out == DType::kInt32) return "binary_i32";
      if (IsFloat(in) && out == in) return absl::StrCat("binary_", TypeSuffix(in));
      if ((in == DType::kInt8 || in == DType::kInt16) && out == DType::kInt32) {
        return absl::StrCat("mul_", TypeSuffix(in));
      }
      return "";
    case Op::kIntDiv:
      return in == DType::kInt32 && out == DType::kInt32 ? "binary_i32" : "";
    case Op::kBitwiseAnd:
    case Op::kBitwiseOr:
    case Op::kBitwiseXor:
    case Op::kLogicalLeftShift:
    case Op::kLogicalRightShift:
    case Op::kArithmeticRightShift:
      return IsInteger(in) && in == out ? absl::StrCat("binary_", TypeSuffix(in)) : "";
    case Op::kEqual:
    case Op::kGreater:
    case Op::kGreaterEqual:
      if (out != DType::kBool || (in != DType::kInt32 && !IsFloat(in))) return "";
      return absl::StrCat("compare_", TypeSuffix(in));
    case Op::kLogicalAnd:
    case Op::kLogicalOr:
    case Op::kLogicalXor:
      return in == DType::kBool && out == DType::kBool ? "binary_bool" : "";
    case Op::kPow:
      return IsFloat(in) && out == in ? absl::StrCat("binary_", TypeSuffix(in)) : "";
    default:
      return "";
  }
}

}  // namespace

bool lowering::IsElementwise(Op op) {
  return CodeOf(kBinaryCodes, op).has_value() || CodeOf(kUnaryCodes, op).has_value() ||
         op == Op::kSelect || op == Op::kCast;
}

absl::Status OpLowering::LowerElementwise(const graph::Operator& op, std::vector<Step>& steps) {
  if (CodeOf(kBinaryCodes, op.op).has_value()) return LowerBinary(op, steps);
  if (CodeOf(kUnaryCodes, op.op).has_value()) return LowerUnary(op, steps);
  if (op.op == Op::kSelect) return LowerSelect(op, steps);
  if (op.op == Op::kCast) return LowerCast(op, steps);
  return NoShader(graph_, op);
}

absl::Status OpLowering::LowerBinary(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& a = graph_.tensor(op.inputs[0]);
  const graph::Tensor& b = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const std::string variant = BinaryVariant(op.op, a.dtype, output.dtype);
  if (variant.empty() || a.dtype != b.dtype || output.shape.size() > kMaxRank) {
    return NoShader(graph_, op);
  }
  int code = *CodeOf(kBinaryCodes, op.op);
  int nan_mode = 1;
  int64_t shift = 0;
  // A shift the graph computes (EXT-DYNAMIC): the "_dshift" shader reads its tensor.
  bool dynamic_shift = false;
  if (op.op == Op::kMul && !IsFloat(a.dtype)) {
    const std::optional<int64_t> value = ConstantScalar(op.inputs[2]);
    dynamic_shift = !value.has_value();
    shift = value.value_or(0);
  } else if (op.op == Op::kMaximum) {
    nan_mode = static_cast<int>(std::get<graph::MaximumAttr>(op.attribute).nan_mode);
  } else if (op.op == Op::kMinimum) {
    nan_mode = static_cast<int>(std::get<graph::MinimumAttr>(op.attribute).nan_mode);
  } else if (op.op == Op::kArithmeticRightShift &&
             std::get<graph::ArithmeticRightShiftAttr>(op.attribute).round) {
    code = kArithmeticRightShiftRound;
  }
  // FP32 ADD, SUB and MUL without broadcasting, four elements at a time.
  if (a.dtype == DType::kFp32 && code <= 2 && a.shape == output.shape && b.shape == output.shape &&
      Elements(output) % 4 == 0 && Elements(output) > 0) {
    const int64_t invocations = Elements(output) / 4;
    PushConstants packed;
    packed.Int(code).Int(invocations);
    steps.push_back(Dispatch("binary_f32_p4", {T(op.inputs[0]), T(op.inputs[1]), T(op.outputs[0])},
                             packed, invocations));
    return absl::OkStatus();
  }
  PushConstants params;
  params.Ints(RightAligned(output.shape, 1));
  params.Ints(BroadcastStrides(a)).Ints(BroadcastStrides(b));
  params.Int(code).Int(shift).Int(nan_mode).Int(Elements(output));
  std::vector<BufferRef> buffers = {T(op.inputs[0]), T(op.inputs[1]), T(op.outputs[0])};
  if (dynamic_shift) buffers.push_back(T(op.inputs[2]));
  if (Elements(output) > 0) {
    steps.push_back(Dispatch(absl::StrCat(variant, dynamic_shift ? "_dshift" : ""),
                             std::move(buffers), params, Elements(output)));
  }
  return absl::OkStatus();
}

absl::Status OpLowering::LowerUnary(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const DType type = input.dtype;
  if (type != output.dtype) return NoShader(graph_, op);
  const int code = *CodeOf(kUnaryCodes, op.op);
  bool typed;  // whether the variant takes `type` for this operator
  switch (op.op) {
    case Op::kAbs:
      typed = type == DType::kInt32 || IsFloat(type);
      break;
    case Op::kNegate:
      typed = IsInteger(type) || IsFloat(type);
      break;
    case Op::kBitwiseNot:
      typed = IsInteger(type);
      break;
    case Op::kClz:
      typed = type == DType::kInt32;
      break;
    case Op::kLogicalNot:
      typed = type == DType::kBool;
      break;
    default:
      typed = IsFloat(type);
      break;
  }
  if (!typed) return NoShader(graph_, op);
  // NEGATE's zero points (INT8 only; the CPU backend rejects others for the other types) and
  // T's range, to which the negated value is clipped.
  int64_t input_zp = 0, output_zp = 0, out_min = 0, out_max = 0;
  // Zero points the graph computes (EXT-DYNAMIC): the "_dzp" shader reads their tensors.
  bool dynamic_zero_points = false;
  if (op.op == Op::kNegate && IsInteger(type)) {
    const std::optional<std::pair<int64_t, int64_t>> zero_points =
        ConstantZeroPoints(op.inputs[1], op.inputs[2]);
    dynamic_zero_points = !zero_points.has_value();
    if (zero_points.has_value()) std::tie(input_zp, output_zp) = *zero_points;
    std::tie(out_min, out_max) = SignedRange(type);
  }
  PushConstants params;
  params.Int(code).Int(input_zp).Int(output_zp).Int(out_min).Int(out_max).Int(Elements(output));
  std::vector<BufferRef> buffers = {T(op.inputs[0]), T(op.outputs[0])};
  if (dynamic_zero_points) {
    buffers.push_back(T(op.inputs[1]));
    buffers.push_back(T(op.inputs[2]));
  }
  if (Elements(output) > 0) {
    steps.push_back(
        Dispatch(absl::StrCat("unary_", TypeSuffix(type), dynamic_zero_points ? "_dzp" : ""),
                 std::move(buffers), params, Elements(output)));
  }
  return absl::OkStatus();
}

absl::Status OpLowering::LowerSelect(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& condition = graph_.tensor(op.inputs[0]);
  const graph::Tensor& on_true = graph_.tensor(op.inputs[1]);
  const graph::Tensor& on_false = graph_.tensor(op.inputs[2]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const int width = ElementWidth(output.dtype);
  if (condition.dtype != DType::kBool || width == 0 || on_true.dtype != output.dtype ||
      on_false.dtype != output.dtype || output.shape.size() > kMaxRank) {
    return NoShader(graph_, op);
  }
  PushConstants params;
  params.Ints(RightAligned(output.shape, 1)).Ints(BroadcastStrides(condition));
  params.Ints(BroadcastStrides(on_true)).Ints(BroadcastStrides(on_false)).Int(Elements(output));
  if (Elements(output) > 0) {
    steps.push_back(Dispatch(absl::StrCat("select_", width * 8),
                             {T(op.inputs[0]), T(op.inputs[1]), T(op.inputs[2]), T(op.outputs[0])},
                             params, Elements(output)));
  }
  return absl::OkStatus();
}

absl::Status OpLowering::LowerCast(const graph::Operator& op, std::vector<Step>& steps) {
  const std::string in = TypeSuffix(graph_.tensor(op.inputs[0]).dtype);
  const std::string out = TypeSuffix(graph_.tensor(op.outputs[0]).dtype);
  if (in.empty() || out.empty()) return NoShader(graph_, op);
  const int64_t count = Elements(graph_.tensor(op.outputs[0]));
  PushConstants params;
  params.Int(count);
  if (count > 0) {
    steps.push_back(Dispatch(absl::StrCat("cast_", in, "_", out),
                             {T(op.inputs[0]), T(op.outputs[0])}, params, count));
  }
  return absl::OkStatus();
}

bool OpLowering::LowerRescaledAdd(const graph::Operator& rescale_a,
                                  const graph::Operator& rescale_b, const graph::Operator& add,
                                  const graph::Operator& rescale_out, const graph::Operator* clamp,
                                  std::vector<Step>& steps) {
  const graph::Tensor& a = graph_.tensor(rescale_a.inputs[0]);
  const graph::Tensor& b = graph_.tensor(rescale_b.inputs[0]);
  const graph::Tensor& sum = graph_.tensor(add.outputs[0]);
  // Elementwise without broadcasting, four INT8 elements to a uint.
  if (a.shape != sum.shape || b.shape != sum.shape || Elements(sum) % 4 != 0 ||
      Elements(sum) == 0) {
    return false;
  }
  std::optional<RescaleSetup> setups[3] = {
      RescaleParameters(rescale_a), RescaleParameters(rescale_b), RescaleParameters(rescale_out)};
  const std::pair<const char*, const char*> types[3] = {
      {"i8", "i32"}, {"i8", "i32"}, {"i32", "i8"}};
  PushConstants params;
  for (int k = 0; k < 3; ++k) {
    const std::optional<RescaleSetup>& setup = setups[k];
    if (!setup.has_value() || setup->dynamic || setup->channels != 1 ||
        setup->in != types[k].first || setup->out != types[k].second) {
      return false;
    }
    // rescaled_add.comp's RescaleParams: rescale_math.glsl's, then the multiplier and shift.
    int32_t multiplier, shift;
    std::memcpy(&multiplier, setup->multipliers.data(), 4);
    std::memcpy(&shift, setup->shifts.data(), 4);
    params.Int(setup->input_zp).Int(setup->output_zp).Int(setup->out_min).Int(setup->out_max);
    params.Int(setup->channels).Int(setup->flags).Int(multiplier).Int(shift);
  }
  // The CLAMP's bounds as clamp_packed.comp takes them; without one, the whole INT8 range.
  int64_t clamp_min = -128, clamp_max = 127;
  if (clamp != nullptr) {
    const auto& attr = std::get<graph::ClampAttr>(clamp->attribute);
    clamp_min = ReadSigned(attr.min_val, DType::kInt8);
    clamp_max = ReadSigned(attr.max_val, DType::kInt8);
  }
  const int64_t invocations = Elements(sum) / 4;
  params.Int(clamp_min).Int(clamp_max).Int(invocations);
  const graph::TensorId output = clamp != nullptr ? clamp->outputs[0] : rescale_out.outputs[0];
  steps.push_back(Dispatch("rescaled_add_i8",
                           {T(rescale_a.inputs[0]), T(rescale_b.inputs[0]), T(output)}, params,
                           invocations));
  return true;
}

}  // namespace inferd::vulkan
