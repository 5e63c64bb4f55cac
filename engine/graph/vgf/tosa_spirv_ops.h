// The TOSA.001000.1 extended instruction set: for each of its 66 instructions the graph IR operator
// and the order of its SPIR-V operands (attributes first, then tensors, except PAD, SLICE, RESHAPE
// and TILE), as the public grammar extinst.tosa.001000.1.grammar.json lists them. One table for the
// decoder and the writer, so the two cannot disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/graph/attributes.h"
#include "engine/graph/op.h"

namespace inferd::graph::vgf {

// What one SPIR-V operand of a TOSA instruction is.
enum class TosaOperand : uint8_t {
  kTensor,      // the next IR input
  kTensorList,  // CONCAT: every remaining operand is an IR input
  kShape,       // the next IR input, a CONST_SHAPE in the IR; an integer tensor constant in SPIR-V
  // Integer lists: rank-1 tensor constants.
  kPad,
  kStride,
  kDilation,
  kKernel,
  kOutPad,
  kPerms,
  // Integer scalars (OpConstant).
  kAxis,
  kAccType,
  kNanMode,
  kRoundingMode,
  kResizeMode,
  // Booleans (OpConstantTrue / OpConstantFalse).
  kLocalBound,
  kInverse,
  kRound,
  kScale32,
  kPerChannel,
  kInputUnsigned,
  kOutputUnsigned,
  // CLAMP bounds: a scalar constant of the input's element type.
  kMinVal,
  kMaxVal,
};

struct TosaSpirvOp {
  uint32_t opcode = 0;  // the extended instruction number
  Op op = Op::kUnknown;
  std::vector<TosaOperand> operands;
  uint32_t results = 1;  // FFT2D and RFFT2D return a struct of two tensors
};

// All 66 instructions, by opcode.
std::span<const TosaSpirvOp> TosaSpirvOps();
// nullptr when `opcode` is not an instruction of the set.
const TosaSpirvOp* FindTosaSpirvOp(uint32_t opcode);
// nullptr for operators the set cannot express (CONST, IDENTITY, control flow, variables, CUSTOM,
// CONST_SHAPE).
const TosaSpirvOp* FindTosaSpirvOpFor(Op op);

std::string_view TosaOperandName(TosaOperand operand);
bool IsIntListOperand(TosaOperand operand);
bool IsScalarOperand(TosaOperand operand);
bool IsBoolOperand(TosaOperand operand);

// Access to the attribute field an operand stands for; nullptr / false when `attribute` has none.
std::vector<int32_t>* IntListField(Attribute& attribute, TosaOperand operand);
const std::vector<int32_t>* IntListField(const Attribute& attribute, TosaOperand operand);
bool* BoolField(Attribute& attribute, TosaOperand operand);
const bool* BoolField(const Attribute& attribute, TosaOperand operand);
// Scalars as the numbers SPIR-V carries: TOSA spec enumeration values (acc_type INT32=1, FP16=2,
// FP32=3, INT48=4; nan_mode, rounding_mode and resize mode as in attributes.h), axis as is.
bool SetScalarField(Attribute& attribute, TosaOperand operand, int64_t value);
std::optional<int64_t> GetScalarField(const Attribute& attribute, TosaOperand operand);

}  // namespace inferd::graph::vgf
