#include "engine/graph/vgf/tosa_spirv_ops.h"

#include <array>

namespace inferd::graph::vgf {
namespace {

using enum TosaOperand;

std::vector<TosaSpirvOp> BuildTable() {
  const std::vector<TosaOperand> conv = {kPad,    kStride, kDilation, kAccType, kLocalBound,
                                         kTensor, kTensor, kTensor,   kTensor,  kTensor};
  const std::vector<TosaOperand> unary = {kTensor};
  const std::vector<TosaOperand> binary = {kTensor, kTensor};
  std::vector<TosaSpirvOp> t = {
      {0, Op::kArgMax, {kAxis, kNanMode, kTensor}},
      {1, Op::kAvgPool2d, {kKernel, kStride, kPad, kAccType, kTensor, kTensor, kTensor}},
      {2, Op::kConv2d, conv},
      {3, Op::kConv3d, conv},
      {4, Op::kDepthwiseConv2d, conv},
      {5, Op::kFft2d, {kInverse, kLocalBound, kTensor, kTensor}, 2},
      {6, Op::kMatMul, {kTensor, kTensor, kTensor, kTensor}},
      {7, Op::kMaxPool2d, {kKernel, kStride, kPad, kNanMode, kTensor}},
      {8, Op::kRfft2d, {kLocalBound, kTensor}, 2},
      {9,
       Op::kTransposeConv2d,
       {kOutPad, kStride, kAccType, kLocalBound, kTensor, kTensor, kTensor, kTensor, kTensor}},
      {10, Op::kClamp, {kMinVal, kMaxVal, kNanMode, kTensor}},
      {11, Op::kErf, unary},
      {12, Op::kSigmoid, unary},
      {13, Op::kTanh, unary},
      {14, Op::kAdd, binary},
      {15, Op::kArithmeticRightShift, {kRound, kTensor, kTensor}},
      {16, Op::kBitwiseAnd, binary},
      {17, Op::kBitwiseOr, binary},
      {18, Op::kBitwiseXor, binary},
      {19, Op::kIntDiv, binary},
      {20, Op::kLogicalAnd, binary},
      {21, Op::kLogicalLeftShift, binary},
      {22, Op::kLogicalRightShift, binary},
      {23, Op::kLogicalOr, binary},
      {24, Op::kLogicalXor, binary},
      {25, Op::kMaximum, {kNanMode, kTensor, kTensor}},
      {26, Op::kMinimum, {kNanMode, kTensor, kTensor}},
      {27, Op::kMul, {kTensor, kTensor, kTensor}},
      {28, Op::kPow, binary},
      {29, Op::kSub, binary},
      {30, Op::kTable, binary},
      {31, Op::kAbs, unary},
      {32, Op::kBitwiseNot, unary},
      {33, Op::kCeil, unary},
      {34, Op::kClz, unary},
      {35, Op::kCos, unary},
      {36, Op::kExp, unary},
      {37, Op::kFloor, unary},
      {38, Op::kLog, unary},
      {39, Op::kLogicalNot, unary},
      {40, Op::kNegate, {kTensor, kTensor, kTensor}},
      {41, Op::kReciprocal, unary},
      {42, Op::kRsqrt, unary},
      {43, Op::kSin, unary},
      {44, Op::kSelect, {kTensor, kTensor, kTensor}},
      {45, Op::kEqual, binary},
      {46, Op::kGreater, binary},
      {47, Op::kGreaterEqual, binary},
      {48, Op::kReduceAll, {kAxis, kTensor}},
      {49, Op::kReduceAny, {kAxis, kTensor}},
      {50, Op::kReduceMax, {kAxis, kNanMode, kTensor}},
      {51, Op::kReduceMin, {kAxis, kNanMode, kTensor}},
      {52, Op::kReduceProduct, {kAxis, kTensor}},
      {53, Op::kReduceSum, {kAxis, kTensor}},
      {54, Op::kConcat, {kAxis, kTensorList}},
      {55, Op::kPad, {kTensor, kShape, kTensor}},
      {56, Op::kReshape, {kTensor, kShape}},
      {57, Op::kReverse, {kAxis, kTensor}},
      {58, Op::kSlice, {kTensor, kShape, kShape}},
      {59, Op::kTile, {kTensor, kShape}},
      {60, Op::kTranspose, {kPerms, kTensor}},
      {61, Op::kGather, binary},
      {62, Op::kScatter, {kTensor, kTensor, kTensor}},
      {63, Op::kResize, {kResizeMode, kTensor, kShape, kShape, kShape}},
      {64, Op::kCast, unary},
      {65,
       Op::kRescale,
       {kScale32, kRoundingMode, kPerChannel, kInputUnsigned, kOutputUnsigned, kTensor, kTensor,
        kTensor, kTensor, kTensor}},
  };
  return t;
}

const std::vector<TosaSpirvOp>& Table() {
  static const std::vector<TosaSpirvOp> table = BuildTable();
  return table;
}

// Returns a pointer to the member of `a` that `operand` names, or nullptr. Works for const and
// non-const attribute structs.
template <typename Field, typename A>
Field* IntListMember(A& a, TosaOperand operand) {
  switch (operand) {
    case kPad:
      if constexpr (requires { a.pad; }) return &a.pad;
      break;
    case kStride:
      if constexpr (requires { a.stride; }) return &a.stride;
      break;
    case kDilation:
      if constexpr (requires { a.dilation; }) return &a.dilation;
      break;
    case kKernel:
      if constexpr (requires { a.kernel; }) return &a.kernel;
      break;
    case kOutPad:
      if constexpr (requires { a.out_pad; }) return &a.out_pad;
      break;
    case kPerms:
      if constexpr (requires { a.perms; }) return &a.perms;
      break;
    default:
      break;
  }
  return nullptr;
}

template <typename Field, typename A>
Field* BoolMember(A& a, TosaOperand operand) {
  switch (operand) {
    case kLocalBound:
      if constexpr (requires { a.local_bound; }) return &a.local_bound;
      break;
    case kInverse:
      if constexpr (requires { a.inverse; }) return &a.inverse;
      break;
    case kRound:
      if constexpr (requires { a.round; }) return &a.round;
      break;
    case kScale32:
      if constexpr (requires { a.scale32; }) return &a.scale32;
      break;
    case kPerChannel:
      if constexpr (requires { a.per_channel; }) return &a.per_channel;
      break;
    case kInputUnsigned:
      if constexpr (requires { a.input_unsigned; }) return &a.input_unsigned;
      break;
    case kOutputUnsigned:
      if constexpr (requires { a.output_unsigned; }) return &a.output_unsigned;
      break;
    default:
      break;
  }
  return nullptr;
}

// TOSA spec acc_type_t values <-> DType.
constexpr std::array<std::pair<int64_t, DType>, 4> kAccTypes = {{
    {1, DType::kInt32},
    {2, DType::kFp16},
    {3, DType::kFp32},
    {4, DType::kInt48},
}};

}  // namespace

std::span<const TosaSpirvOp> TosaSpirvOps() { return Table(); }

const TosaSpirvOp* FindTosaSpirvOp(uint32_t opcode) {
  const auto& table = Table();
  return opcode < table.size() ? &table[opcode] : nullptr;
}

const TosaSpirvOp* FindTosaSpirvOpFor(Op op) {
  for (const TosaSpirvOp& entry : Table()) {
    if (entry.op == op) return &entry;
  }
  return nullptr;
}

std::string_view TosaOperandName(TosaOperand operand) {
  switch (operand) {
    case kTensor:
      return "tensor";
    case kTensorList:
      return "tensor list";
    case kShape:
      return "shape";
    case kPad:
      return "pad";
    case kStride:
      return "stride";
    case kDilation:
      return "dilation";
    case kKernel:
      return "kernel";
    case kOutPad:
      return "out_pad";
    case kPerms:
      return "perms";
    case kAxis:
      return "axis";
    case kAccType:
      return "acc_type";
    case kNanMode:
      return "nan_mode";
    case kRoundingMode:
      return "rounding_mode";
    case kResizeMode:
      return "mode";
    case kLocalBound:
      return "local_bound";
    case kInverse:
      return "inverse";
    case kRound:
      return "round";
    case kScale32:
      return "scale32";
    case kPerChannel:
      return "per_channel";
    case kInputUnsigned:
      return "input_unsigned";
    case kOutputUnsigned:
      return "output_unsigned";
    case kMinVal:
      return "min_val";
    case kMaxVal:
      return "max_val";
  }
  return "?";
}

bool IsIntListOperand(TosaOperand o) {
  return o == kPad || o == kStride || o == kDilation || o == kKernel || o == kOutPad || o == kPerms;
}
bool IsScalarOperand(TosaOperand o) {
  return o == kAxis || o == kAccType || o == kNanMode || o == kRoundingMode || o == kResizeMode;
}
bool IsBoolOperand(TosaOperand o) {
  return o == kLocalBound || o == kInverse || o == kRound || o == kScale32 || o == kPerChannel ||
         o == kInputUnsigned || o == kOutputUnsigned;
}

std::vector<int32_t>* IntListField(Attribute& attribute, TosaOperand operand) {
  return std::visit([&](auto& a) { return IntListMember<std::vector<int32_t>>(a, operand); },
                    attribute);
}
const std::vector<int32_t>* IntListField(const Attribute& attribute, TosaOperand operand) {
  return std::visit(
      [&](const auto& a) { return IntListMember<const std::vector<int32_t>>(a, operand); },
      attribute);
}
bool* BoolField(Attribute& attribute, TosaOperand operand) {
  return std::visit([&](auto& a) { return BoolMember<bool>(a, operand); }, attribute);
}
const bool* BoolField(const Attribute& attribute, TosaOperand operand) {
  return std::visit([&](const auto& a) { return BoolMember<const bool>(a, operand); }, attribute);
}

bool SetScalarField(Attribute& attribute, TosaOperand operand, int64_t value) {
  return std::visit(
      [&](auto& a) -> bool {
        switch (operand) {
          case kAxis:
            if constexpr (requires { a.axis; }) {
              a.axis = static_cast<int32_t>(value);
              return true;
            }
            break;
          case kAccType:
            if constexpr (requires { a.acc_type; }) {
              for (const auto& [number, dtype] : kAccTypes) {
                if (number == value) {
                  a.acc_type = dtype;
                  return true;
                }
              }
              return false;
            }
            break;
          case kNanMode:
            if constexpr (requires { a.nan_mode; }) {
              // 0 is "unset" in some writers: the spec default.
              if (value == 0) value = static_cast<int64_t>(NanMode::kPropagate);
              if (value < 1 || value > 2) return false;
              a.nan_mode = static_cast<NanMode>(value);
              return true;
            }
            break;
          case kRoundingMode:
            if constexpr (requires { a.rounding_mode; }) {
              if (value < 1 || value > 3) return false;
              a.rounding_mode = static_cast<RoundingMode>(value);
              return true;
            }
            break;
          case kResizeMode:
            if constexpr (requires { a.mode; }) {
              if (value < 1 || value > 2) return false;
              a.mode = static_cast<ResizeMode>(value);
              return true;
            }
            break;
          default:
            break;
        }
        return false;
      },
      attribute);
}

std::optional<int64_t> GetScalarField(const Attribute& attribute, TosaOperand operand) {
  return std::visit(
      [&](const auto& a) -> std::optional<int64_t> {
        switch (operand) {
          case kAxis:
            if constexpr (requires { a.axis; }) return a.axis;
            break;
          case kAccType:
            if constexpr (requires { a.acc_type; }) {
              for (const auto& [number, dtype] : kAccTypes) {
                if (dtype == a.acc_type) return number;
              }
              return std::nullopt;
            }
            break;
          case kNanMode:
            if constexpr (requires { a.nan_mode; }) return static_cast<int64_t>(a.nan_mode);
            break;
          case kRoundingMode:
            if constexpr (requires { a.rounding_mode; }) {
              return static_cast<int64_t>(a.rounding_mode);
            }
            break;
          case kResizeMode:
            if constexpr (requires { a.mode; }) return static_cast<int64_t>(a.mode);
            break;
          default:
            break;
        }
        return std::nullopt;
      },
      attribute);
}

}  // namespace inferd::graph::vgf
