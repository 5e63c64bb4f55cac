#include "engine/graph/attributes.h"

namespace inferd::graph {

Attribute DefaultAttribute(Op op) {
  switch (op) {
    case Op::kArgMax:
      return ArgMaxAttr{};
    case Op::kAvgPool2d:
      return AvgPool2dAttr{};
    case Op::kConv2d:
      return Conv2dAttr{};
    case Op::kConv3d:
      return Conv3dAttr{};
    case Op::kDepthwiseConv2d:
      return DepthwiseConv2dAttr{};
    case Op::kFft2d:
      return Fft2dAttr{};
    case Op::kMaxPool2d:
      return MaxPool2dAttr{};
    case Op::kRfft2d:
      return Rfft2dAttr{};
    case Op::kTransposeConv2d:
      return TransposeConv2dAttr{};
    case Op::kClamp:
      return ClampAttr{};
    case Op::kArithmeticRightShift:
      return ArithmeticRightShiftAttr{};
    case Op::kMaximum:
      return MaximumAttr{};
    case Op::kMinimum:
      return MinimumAttr{};
    case Op::kReduceAll:
      return ReduceAllAttr{};
    case Op::kReduceAny:
      return ReduceAnyAttr{};
    case Op::kReduceMax:
      return ReduceMaxAttr{};
    case Op::kReduceMin:
      return ReduceMinAttr{};
    case Op::kReduceProduct:
      return ReduceProductAttr{};
    case Op::kReduceSum:
      return ReduceSumAttr{};
    case Op::kConcat:
      return ConcatAttr{};
    case Op::kReverse:
      return ReverseAttr{};
    case Op::kTranspose:
      return TransposeAttr{};
    case Op::kResize:
      return ResizeAttr{};
    case Op::kRescale:
      return RescaleAttr{};
    case Op::kCustom:
      return CustomAttr{};
    case Op::kCondIf:
      return CondIfAttr{};
    case Op::kWhileLoop:
      return WhileLoopAttr{};
    default:
      return std::monostate{};
  }
}

bool AttributeMatchesOp(Op op, const Attribute& attribute) {
  return DefaultAttribute(op).index() == attribute.index();
}

}  // namespace inferd::graph
