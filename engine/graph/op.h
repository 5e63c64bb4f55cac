// The 75 TOSA 1.0 operators and their names.
#pragma once

#include <cstdint>
#include <string_view>

namespace inferd::graph {

// Numeric values equal the TOSA 1.0 serialization schema's Op enum.
enum class Op : uint32_t {
  kUnknown = 0,
  // Tensor operators.
  kArgMax = 1,
  kAvgPool2d = 2,
  kConv2d = 3,
  kConv3d = 4,
  kDepthwiseConv2d = 5,
  kFft2d = 6,
  kMatMul = 7,
  kMaxPool2d = 8,
  kRfft2d = 9,
  kTransposeConv2d = 10,
  // Activation functions.
  kClamp = 11,
  kErf = 12,
  kSigmoid = 13,
  kTanh = 14,
  // Elementwise binary.
  kAdd = 15,
  kArithmeticRightShift = 16,
  kBitwiseAnd = 17,
  kBitwiseOr = 18,
  kBitwiseXor = 19,
  kIntDiv = 20,
  kLogicalAnd = 21,
  kLogicalLeftShift = 22,
  kLogicalRightShift = 23,
  kLogicalOr = 24,
  kLogicalXor = 25,
  kMaximum = 26,
  kMinimum = 27,
  kMul = 28,
  kPow = 29,
  kSub = 30,
  kTable = 31,
  // Elementwise unary.
  kAbs = 32,
  kBitwiseNot = 33,
  kCeil = 34,
  kClz = 35,
  kCos = 36,
  kExp = 37,
  kFloor = 38,
  kLog = 39,
  kLogicalNot = 40,
  kNegate = 41,
  kReciprocal = 42,
  kRsqrt = 43,
  kSin = 44,
  // Elementwise ternary.
  kSelect = 45,
  // Comparison.
  kEqual = 46,
  kGreater = 47,
  kGreaterEqual = 48,
  // Reductions.
  kReduceAll = 49,
  kReduceAny = 50,
  kReduceMax = 51,
  kReduceMin = 52,
  kReduceProduct = 53,
  kReduceSum = 54,
  // Data layout.
  kConcat = 55,
  kPad = 56,
  kReshape = 57,
  kReverse = 58,
  kSlice = 59,
  kTile = 60,
  kTranspose = 61,
  // Scatter / gather.
  kGather = 62,
  kScatter = 63,
  // Image.
  kResize = 64,
  // Type conversion.
  kCast = 65,
  kRescale = 66,
  // Data nodes.
  kConst = 67,
  kIdentity = 68,
  // Custom.
  kCustom = 69,
  // Control flow.
  kCondIf = 70,
  kWhileLoop = 71,
  // Variables.
  kVariable = 72,
  kVariableWrite = 73,
  kVariableRead = 74,
  // Shape constants.
  kConstShape = 75,
};

inline constexpr uint32_t kMaxOpValue = 75;

// The specification's spelling: "CONV2D", "AVG_POOL2D", ... ("UNKNOWN" for out-of-range values).
std::string_view OpName(Op op);

}  // namespace inferd::graph
