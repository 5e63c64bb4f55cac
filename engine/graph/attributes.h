// Operator attributes of a TOSA 1.0 graph: one plain struct per non-empty attribute table.
//
// Each struct holds every field of the schema table of the same name (engine/graph/tosa.fbs).
// Operators whose attribute table is empty (ADD, MUL, TABLE, PAD, RESHAPE, CONST, ...) carry
// std::monostate: in TOSA 1.0 their parameters (zero points, shifts, multipliers, lookup tables,
// pad values, shapes) are operator inputs, usually CONST / CONST_SHAPE tensors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/graph/dtype.h"
#include "engine/graph/op.h"

namespace inferd::graph {

// Index of a block in Graph::blocks.
using BlockId = uint32_t;

// Values equal the schema's NanPropagationMode.
enum class NanMode : uint32_t { kUnknown = 0, kPropagate = 1, kIgnore = 2 };
// Values equal the schema's RoundingMode.
enum class RoundingMode : uint32_t {
  kUnknown = 0,
  kSingleRound = 1,
  kInexactRound = 2,
  kDoubleRound = 3,
};
// Values equal the schema's ResizeMode.
enum class ResizeMode : uint32_t { kUnknown = 0, kNearest = 1, kBilinear = 2 };

struct ArgMaxAttr {
  int32_t axis = 0;
  NanMode nan_mode = NanMode::kPropagate;
};

// kernel {kh, kw}; stride {sh, sw}; pad {top, bottom, left, right}.
struct AvgPool2dAttr {
  std::vector<int32_t> kernel;
  std::vector<int32_t> stride;
  std::vector<int32_t> pad;
  DType acc_type = DType::kUnknown;
};

// pad {top, bottom, left, right}; stride {sh, sw}; dilation {dh, dw}.
struct Conv2dAttr {
  std::vector<int32_t> pad;
  std::vector<int32_t> stride;
  std::vector<int32_t> dilation;
  bool local_bound = false;
  DType acc_type = DType::kUnknown;
};

// pad {d_front, d_back, top, bottom, left, right}; stride, dilation {sd, sh, sw}.
struct Conv3dAttr {
  std::vector<int32_t> pad;
  std::vector<int32_t> stride;
  std::vector<int32_t> dilation;
  bool local_bound = false;
  DType acc_type = DType::kUnknown;
};

// Same layout as Conv2dAttr.
struct DepthwiseConv2dAttr {
  std::vector<int32_t> pad;
  std::vector<int32_t> stride;
  std::vector<int32_t> dilation;
  bool local_bound = false;
  DType acc_type = DType::kUnknown;
};

struct Fft2dAttr {
  bool inverse = false;
  bool local_bound = false;
};

// kernel {kh, kw}; stride {sh, sw}; pad {top, bottom, left, right}.
struct MaxPool2dAttr {
  std::vector<int32_t> kernel;
  std::vector<int32_t> stride;
  std::vector<int32_t> pad;
  NanMode nan_mode = NanMode::kPropagate;
};

struct Rfft2dAttr {
  bool local_bound = false;
};

// out_pad {top, bottom, left, right}; stride {sh, sw}.
struct TransposeConv2dAttr {
  std::vector<int32_t> out_pad;
  std::vector<int32_t> stride;
  bool local_bound = false;
  DType acc_type = DType::kUnknown;
};

// min_val / max_val: one value of the input's element type, little-endian, in the first
// DTypeDataSize(dtype, 1) bytes (writers pad the vectors to 8 bytes). The validator checks they
// are at least that long.
struct ClampAttr {
  std::vector<uint8_t> min_val;
  std::vector<uint8_t> max_val;
  NanMode nan_mode = NanMode::kPropagate;
};

struct ArithmeticRightShiftAttr {
  bool round = false;
};

struct MaximumAttr {
  NanMode nan_mode = NanMode::kPropagate;
};

struct MinimumAttr {
  NanMode nan_mode = NanMode::kPropagate;
};

struct ReduceAllAttr {
  int32_t axis = 0;
};

struct ReduceAnyAttr {
  int32_t axis = 0;
};

struct ReduceMaxAttr {
  int32_t axis = 0;
  NanMode nan_mode = NanMode::kPropagate;
};

struct ReduceMinAttr {
  int32_t axis = 0;
  NanMode nan_mode = NanMode::kPropagate;
};

struct ReduceProductAttr {
  int32_t axis = 0;
};

struct ReduceSumAttr {
  int32_t axis = 0;
};

struct ConcatAttr {
  int32_t axis = 0;
};

struct ReverseAttr {
  int32_t axis = 0;
};

// Output dimension i is input dimension perms[i].
struct TransposeAttr {
  std::vector<int32_t> perms;
};

struct ResizeAttr {
  ResizeMode mode = ResizeMode::kUnknown;
};

// Multiplier, shift and zero points are inputs 1..4 of RESCALE.
struct RescaleAttr {
  bool scale32 = false;
  RoundingMode rounding_mode = RoundingMode::kUnknown;
  bool per_channel = false;
  bool input_unsigned = false;
  bool output_unsigned = false;
};

struct CustomAttr {
  std::string operator_name;
  std::string domain_name;
  std::vector<uint8_t> implementation_attrs;
};

// then_graph / else_graph name the blocks to run; the reader resolves them to block ids.
struct CondIfAttr {
  std::string then_graph;
  std::string else_graph;
  std::optional<BlockId> then_block;
  std::optional<BlockId> else_block;
};

// cond_graph / body_graph name the blocks to run; the reader resolves them to block ids.
struct WhileLoopAttr {
  std::string cond_graph;
  std::string body_graph;
  std::optional<BlockId> cond_block;
  std::optional<BlockId> body_block;
};

// An operator's attributes. Which alternative an operator carries is fixed by its Op
// (AttributeMatchesOp); std::monostate for operators whose schema attribute table is empty.
using Attribute =
    std::variant<std::monostate, ArgMaxAttr, AvgPool2dAttr, Conv2dAttr, Conv3dAttr,
                 DepthwiseConv2dAttr, Fft2dAttr, MaxPool2dAttr, Rfft2dAttr, TransposeConv2dAttr,
                 ClampAttr, ArithmeticRightShiftAttr, MaximumAttr, MinimumAttr, ReduceAllAttr,
                 ReduceAnyAttr, ReduceMaxAttr, ReduceMinAttr, ReduceProductAttr, ReduceSumAttr,
                 ConcatAttr, ReverseAttr, TransposeAttr, ResizeAttr, RescaleAttr, CustomAttr,
                 CondIfAttr, WhileLoopAttr>;

// True when `attribute` holds the alternative that belongs to `op` (std::monostate for
// operators without attribute fields).
bool AttributeMatchesOp(Op op, const Attribute& attribute);

// The alternative `op` carries, default-initialised.
Attribute DefaultAttribute(Op op);

}  // namespace inferd::graph
