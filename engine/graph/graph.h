// The in-memory TOSA 1.0 graph shared by the CPU and Vulkan backends. The .tosa reader builds it
// (tests may build one by hand); ValidateGraph checks it once at load, kernels never re-check.
//
// Layout: every tensor of every block lives in Graph::tensors and is named by its index
// (TensorId); every block of every region lives in Graph::blocks (BlockId). Operators refer to
// tensors by id, so a body block of COND_IF / WHILE_LOOP may use a tensor of the block that calls
// it (the reference serializer writes such graphs) without any name lookup at run time.
//
// Operand order follows the TOSA 1.0 specification; parameters that earlier versions held as
// attributes are inputs now, e.g.
//   CONV2D / CONV3D / DEPTHWISE_CONV2D: input, weight, bias, input_zp, weight_zp
//   TRANSPOSE_CONV2D:                   input, weight, bias, input_zp, weight_zp
//   AVG_POOL2D:                         input, input_zp, output_zp
//   MATMUL:                             A, B, A_zp, B_zp
//   RESCALE:                            input, multiplier, shift, input_zp, output_zp
//   MUL:                                input1, input2, shift (INT8 [1])
//   TABLE:                              input, table
//   NEGATE:                             input, input1_zp, output_zp
//   PAD:                                input, padding (SHAPE), pad_const
//   RESHAPE:                            input, shape (SHAPE)
//   SLICE:                              input, start (SHAPE), size (SHAPE)
//   TILE:                               input, multiples (SHAPE)
//   RESIZE:                             input, scale (SHAPE), offset (SHAPE), border (SHAPE)
//   FFT2D: input_real, input_imag;  RFFT2D: input_real;  SCATTER: values_in, indices, input
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph/attributes.h"
#include "engine/graph/dtype.h"
#include "engine/graph/op.h"
#include "engine/shape.h"

namespace inferd::graph {

// Index of a tensor in Graph::tensors.
using TensorId = uint32_t;

// TOSA specification version a graph was written for.
struct Version {
  int32_t major = 1;
  int32_t minor = 0;
  int32_t patch = 0;
  bool draft = false;
};

struct Tensor {
  std::string name;  // unique within its block
  DType dtype = DType::kUnknown;
  Shape shape;  // outermost dimension first; empty for a rank-0 tensor (one element)
  // Shape not known when the file was written; only allowed where the validator says so.
  bool unranked = false;
  // Constant payload, little-endian, DTypeDataSize(dtype, elements) bytes. Meaningful for the
  // outputs of CONST and CONST_SHAPE (SHAPE data is int64 per element; a rank-0 SHAPE constant
  // stands for the empty shape and its one stored value means nothing). Empty otherwise; writers
  // sometimes repeat a constant's data on a body block's input tensor, which carries no meaning
  // since the caller binds block inputs.
  std::vector<uint8_t> data;
  bool variable = false;      // a VARIABLE's state tensor
  std::string variable_name;  // its name for VARIABLE_READ / VARIABLE_WRITE
  BlockId block = 0;          // the block that declares it
};

struct Operator {
  Op op = Op::kUnknown;
  Attribute attribute;  // the alternative that belongs to `op`, std::monostate if none
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;
  std::string location;  // free-form source location from the file; may be empty
};

// A shape value a block declares (TosaShape); rank int64 entries in data. Unused by current
// writers, kept so nothing in a file is silently dropped.
struct ShapeValue {
  std::string name;
  uint32_t rank = 0;
  std::vector<uint8_t> data;
};

struct Block {
  std::string name;
  // The block whose tensors this block may refer to by name when it does not declare them: the
  // block holding the COND_IF / WHILE_LOOP that runs this one. nullopt for top-level blocks.
  std::optional<BlockId> parent;
  std::vector<TensorId> tensors;    // tensors this block declares, in file order
  std::vector<Operator> operators;  // in execution order
  std::vector<TensorId> inputs;     // bound by the caller (the request, or COND_IF/WHILE_LOOP)
  std::vector<TensorId> outputs;
  std::vector<ShapeValue> shapes;
};

struct Region {
  std::string name;
  std::vector<BlockId> blocks;
};

struct Graph {
  // The entry block: the first block of the first region ("main").
  static constexpr BlockId kMainBlock = 0;

  Version version;
  std::vector<Region> regions;
  std::vector<Block> blocks;  // blocks of all regions, in region order
  std::vector<Tensor> tensors;

  const Block& main_block() const { return blocks[kMainBlock]; }
  const Tensor& tensor(TensorId id) const { return tensors[id]; }

  // The block with this name (first match in region order), for control-flow references.
  std::optional<BlockId> FindBlock(std::string_view name) const;
  // Resolves `name` as seen from `block`: the block's own tensors first, then its parents'.
  std::optional<TensorId> FindTensor(BlockId block, std::string_view name) const;
};

// Number of elements of a ranked tensor; nullopt for unranked tensors, negative dimensions or
// overflow.
std::optional<int64_t> ElementCount(const Tensor& tensor);

}  // namespace inferd::graph
