#include "engine/graph/graph_validator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/graph/graph_variables.h"

namespace inferd::graph {
namespace {

// TOSA 1.0 MAX_RANK.
constexpr size_t kMaxRank = 6;
// TOSA sizes are int32 in the specification and in .tosa files.
constexpr int64_t kMaxDim = INT32_MAX;

using DTypes = std::initializer_list<DType>;

constexpr DTypes kFloatTypes = {DType::kFp16, DType::kBf16, DType::kFp32};
constexpr DTypes kAddTypes = {DType::kInt32, DType::kFp16, DType::kBf16, DType::kFp32};
constexpr DTypes kIntTypes = {DType::kInt8, DType::kInt16, DType::kInt32};
// Element types the data-movement operators (CONCAT, PAD, RESHAPE, ...) accept.
constexpr DTypes kDataTypes = {DType::kBool,  DType::kInt4,    DType::kInt8,   DType::kInt16,
                               DType::kInt32, DType::kInt48,   DType::kFp16,   DType::kBf16,
                               DType::kFp32,  DType::kFp8E4M3, DType::kFp8E5M2};

// Debian's abseil keeps absl::string_view distinct from std::string_view.
absl::string_view Name(DType dtype) {
  const std::string_view name = DTypeName(dtype);
  return absl::string_view(name.data(), name.size());
}
absl::string_view Name(Op op) {
  const std::string_view name = OpName(op);
  return absl::string_view(name.data(), name.size());
}

bool OneOf(DType dtype, DTypes allowed) {
  return std::find(allowed.begin(), allowed.end(), dtype) != allowed.end();
}
bool OneOf(DType dtype, const std::vector<DType>& allowed) {
  return std::find(allowed.begin(), allowed.end(), dtype) != allowed.end();
}

std::string DTypeList(const std::vector<DType>& allowed) {
  std::vector<absl::string_view> names;
  for (DType d : allowed) names.push_back(Name(d));
  return absl::StrJoin(names, ", ");
}
std::string DTypeList(DTypes allowed) { return DTypeList(std::vector<DType>(allowed)); }

std::string ShapeString(const Shape& shape) { return ShapeToString(shape); }

// Decodes one little-endian signed integer element of `dtype` (INT8/16/32, SHAPE, BOOL) at
// `index`; the caller has checked the data size.
int64_t IntElement(const Tensor& t, size_t index) {
  const uint8_t* p = t.data.data();
  switch (t.dtype) {
    case DType::kBool:
    case DType::kInt8:
      return static_cast<int8_t>(p[index]);
    case DType::kInt16: {
      int16_t v;
      std::memcpy(&v, p + 2 * index, 2);
      return v;
    }
    case DType::kInt32: {
      int32_t v;
      std::memcpy(&v, p + 4 * index, 4);
      return v;
    }
    case DType::kShape: {
      int64_t v;
      std::memcpy(&v, p + 8 * index, 8);
      return v;
    }
    default:
      return 0;
  }
}

bool IsPowerOfTwo(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

// Output size of a sliding window: idiv_check(numerator, stride) + 1, where the specification
// requires the division to be exact and the result to be at least 1.
std::optional<int64_t> WindowOutput(int64_t numerator, int64_t stride) {
  if (numerator < 0 || stride <= 0 || numerator % stride != 0) return std::nullopt;
  return numerator / stride + 1;
}

class Validator {
 public:
  Validator(const Graph& graph, const ValidationOptions& options) : g_(graph), options_(options) {}

  absl::Status Run() {
    if (absl::Status s = CheckStructure(); !s.ok()) return s;
    for (TensorId id = 0; id < g_.tensors.size(); ++id) {
      if (absl::Status s = CheckTensor(id); !s.ok()) return s;
    }
    if (absl::Status s = ValidateVariables(g_); !s.ok()) return s;
    if (absl::Status s = CheckDataflow(); !s.ok()) return s;
    if (absl::Status s = CheckCallGraph(); !s.ok()) return s;
    for (BlockId b = 0; b < g_.blocks.size(); ++b) {
      const Block& block = g_.blocks[b];
      for (size_t i = 0; i < block.operators.size(); ++i) {
        if (absl::Status s = CheckOperator(b, i); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

 private:
  // ---------------------------------------------------------------- labels and errors

  std::string BlockLabel(BlockId b) const {
    return absl::StrCat("block '", g_.blocks[b].name, "'");
  }
  std::string TensorLabel(TensorId t) const {
    return absl::StrCat("tensor '", g_.tensors[t].name, "'");
  }
  std::string Describe(TensorId t) const {
    const Tensor& tensor = g_.tensors[t];
    return absl::StrCat("'", tensor.name, "' ", Name(tensor.dtype), ShapeString(tensor.shape));
  }
  static absl::Status Error(std::string message) {
    return absl::InvalidArgumentError(std::move(message));
  }

  // ---------------------------------------------------------------- whole-graph structure

  absl::Status CheckStructure() {
    if (g_.blocks.empty()) return Error("graph has no blocks; expected a 'main' block");
    if (g_.blocks[Graph::kMainBlock].parent.has_value()) {
      return Error(absl::StrCat(BlockLabel(Graph::kMainBlock),
                                " is the entry block and cannot have a parent"));
    }
    for (const Region& region : g_.regions) {
      for (BlockId b : region.blocks) {
        if (b >= g_.blocks.size()) {
          return Error(absl::StrCat("region '", region.name, "' lists block id ", b, " of ",
                                    g_.blocks.size()));
        }
      }
    }
    std::vector<int> declared(g_.tensors.size(), 0);
    for (BlockId b = 0; b < g_.blocks.size(); ++b) {
      const Block& block = g_.blocks[b];
      if (block.parent.has_value()) {
        if (*block.parent >= g_.blocks.size()) {
          return Error(
              absl::StrCat(BlockLabel(b), ": parent block id ", *block.parent, " is out of range"));
        }
        // A parent chain longer than the number of blocks must loop.
        std::optional<BlockId> p = block.parent;
        for (size_t depth = 0; p.has_value(); ++depth) {
          if (depth > g_.blocks.size() || *p == b) {
            return Error(absl::StrCat(BlockLabel(b), ": parent blocks form a cycle"));
          }
          p = g_.blocks[*p].parent;
        }
      }
      std::set<std::string> names;
      for (TensorId t : block.tensors) {
        if (t >= g_.tensors.size()) {
          return Error(absl::StrCat(BlockLabel(b), " declares tensor id ", t, " but the graph has ",
                                    g_.tensors.size(), " tensors"));
        }
        if (g_.tensors[t].block != b) {
          return Error(absl::StrCat(BlockLabel(b), " declares ", TensorLabel(t),
                                    " whose block id is ", g_.tensors[t].block));
        }
        if (++declared[t] > 1) {
          return Error(absl::StrCat(TensorLabel(t), " is declared more than once"));
        }
        if (!names.insert(g_.tensors[t].name).second) {
          return Error(
              absl::StrCat(BlockLabel(b), ": two tensors are named '", g_.tensors[t].name, "'"));
        }
      }
      auto check_ids = [&](const std::vector<TensorId>& ids, absl::string_view what) {
        for (TensorId t : ids) {
          if (t >= g_.tensors.size()) {
            return Error(absl::StrCat(BlockLabel(b), ": ", what, " refers to tensor id ", t,
                                      " but the graph has ", g_.tensors.size(), " tensors"));
          }
        }
        return absl::OkStatus();
      };
      if (absl::Status s = check_ids(block.inputs, "a block input"); !s.ok()) return s;
      if (absl::Status s = check_ids(block.outputs, "a block output"); !s.ok()) return s;
      for (size_t i = 0; i < block.operators.size(); ++i) {
        const Operator& op = block.operators[i];
        const std::string what = absl::StrCat("operator #", i, " (", Name(op.op), ")");
        if (absl::Status s = check_ids(op.inputs, what); !s.ok()) return s;
        if (absl::Status s = check_ids(op.outputs, what); !s.ok()) return s;
      }
    }
    for (TensorId t = 0; t < g_.tensors.size(); ++t) {
      if (declared[t] == 0) {
        return Error(absl::StrCat(TensorLabel(t), " (id ", t, ") is declared by no block"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckTensor(TensorId id) {
    const Tensor& t = g_.tensors[id];
    const std::string label = absl::StrCat(BlockLabel(t.block), ", ", TensorLabel(id));
    const auto dtype_value = static_cast<uint32_t>(t.dtype);
    if (t.dtype == DType::kUnknown || dtype_value > kMaxDTypeValue) {
      return Error(absl::StrCat(label, ": unknown dtype value ", dtype_value));
    }
    if (t.unranked) {
      return Error(absl::StrCat(label, ": unranked tensors are not supported"));
    }
    if (t.shape.size() > kMaxRank) {
      return Error(absl::StrCat(label, ": rank ", t.shape.size(), " exceeds the TOSA maximum of ",
                                kMaxRank));
    }
    for (int64_t dim : t.shape) {
      if (dim < 0 || dim > kMaxDim) {
        return Error(absl::StrCat(label, ": shape ", ShapeString(t.shape),
                                  " has a dimension outside [0, 2^31)"));
      }
    }
    const std::optional<int64_t> elements = ElementCount(t);
    const std::optional<int64_t> bytes =
        elements.has_value() ? DTypeDataSize(t.dtype, *elements) : std::nullopt;
    if (!bytes.has_value() || *bytes > options_.max_tensor_bytes) {
      return Error(absl::StrCat(label, ": ", Name(t.dtype), ShapeString(t.shape),
                                " is larger than the limit of ", options_.max_tensor_bytes,
                                " bytes"));
    }
    if (!t.data.empty() && static_cast<int64_t>(t.data.size()) != *bytes) {
      return Error(absl::StrCat(label, ": constant data is ", t.data.size(), " bytes but ",
                                Name(t.dtype), ShapeString(t.shape), " needs ", *bytes));
    }
    if (t.dtype == DType::kInt4) {
      // int4_t is -7..+7: the specification leaves -8 out to keep weights symmetric about zero.
      for (int64_t i = 0; i < *elements && !t.data.empty(); ++i) {
        const uint8_t byte = t.data[static_cast<size_t>(i / 2)];
        if (((i % 2 == 0) ? (byte & 0x0f) : (byte >> 4)) == 0x8) {
          return Error(absl::StrCat(label, ": INT4 element ", i,
                                    " is -8, outside TOSA's int4_t range -7..7"));
        }
      }
    }
    return absl::OkStatus();
  }

  // ---------------------------------------------------------------- dataflow

  // Every tensor is produced once (block input or one operator output), and every operator
  // reads only tensors that exist by then: earlier in its block, or anywhere in an enclosing one.
  // Variable tensors exist before the graph runs and may be written any number of times.
  absl::Status CheckDataflow() {
    produced_.assign(g_.tensors.size(), false);
    producer_.assign(g_.tensors.size(), nullptr);
    for (BlockId b = 0; b < g_.blocks.size(); ++b) {
      const Block& block = g_.blocks[b];
      for (TensorId t : block.inputs) {
        if (g_.tensors[t].block != b) {
          return Error(
              absl::StrCat(BlockLabel(b), ": input ", TensorLabel(t), " belongs to another block"));
        }
        if (produced_[t]) {
          return Error(absl::StrCat(BlockLabel(b), ": ", TensorLabel(t),
                                    " is listed twice as a block input"));
        }
        produced_[t] = true;
      }
      for (size_t i = 0; i < block.operators.size(); ++i) {
        const Operator& op = block.operators[i];
        for (TensorId t : op.outputs) {
          if (g_.tensors[t].block != b) {
            return Error(absl::StrCat(OpLabel(b, i), ": output ", TensorLabel(t),
                                      " belongs to another block"));
          }
          if (g_.tensors[t].variable) continue;
          if (produced_[t]) {
            return Error(absl::StrCat(OpLabel(b, i), ": output ", TensorLabel(t),
                                      " is already a block input or another operator's output"));
          }
          produced_[t] = true;
          producer_[t] = &op;
        }
      }
    }
    // Availability in execution order.
    std::vector<bool> ready(g_.tensors.size(), false);
    for (BlockId b = 0; b < g_.blocks.size(); ++b) {
      const Block& block = g_.blocks[b];
      for (TensorId t : block.inputs) ready[t] = true;
      for (size_t i = 0; i < block.operators.size(); ++i) {
        const Operator& op = block.operators[i];
        for (size_t k = 0; k < op.inputs.size(); ++k) {
          const TensorId t = op.inputs[k];
          if (!Visible(b, t)) {
            return Error(absl::StrCat(OpLabel(b, i), ": input ", k, " ", TensorLabel(t),
                                      " is not a tensor of this block or of a block enclosing it"));
          }
          const bool own = g_.tensors[t].block == b;
          if (g_.tensors[t].variable) continue;
          if ((own && !ready[t]) || (!own && !produced_[t])) {
            return Error(absl::StrCat(OpLabel(b, i), ": input ", k, " ", TensorLabel(t),
                                      " is not produced before it is used"));
          }
        }
        for (TensorId t : op.outputs) ready[t] = true;
      }
      for (TensorId t : block.outputs) {
        if (!Visible(b, t) || !produced_[t]) {
          return Error(
              absl::StrCat(BlockLabel(b), ": output ", TensorLabel(t), " is never produced"));
        }
      }
    }
    return absl::OkStatus();
  }

  // True when block `b` may read tensor `t`: its own or one of an enclosing block's.
  bool Visible(BlockId b, TensorId t) const {
    std::optional<BlockId> current = b;
    while (current.has_value()) {
      if (g_.tensors[t].block == *current) return true;
      current = g_.blocks[*current].parent;
    }
    return false;
  }

  // ---------------------------------------------------------------- control flow

  std::vector<BlockId> Callees(const Operator& op) const {
    std::vector<BlockId> out;
    if (const auto* a = std::get_if<CondIfAttr>(&op.attribute)) {
      if (a->then_block) out.push_back(*a->then_block);
      if (a->else_block) out.push_back(*a->else_block);
    } else if (const auto* w = std::get_if<WhileLoopAttr>(&op.attribute)) {
      if (w->cond_block) out.push_back(*w->cond_block);
      if (w->body_block) out.push_back(*w->body_block);
    }
    return out;
  }

  // Callee ids are valid, never the entry block, and no block reaches itself (TOSA forbids
  // recursion; an executor would loop forever).
  absl::Status CheckCallGraph() {
    const size_t n = g_.blocks.size();
    std::vector<std::vector<BlockId>> calls(n);
    for (BlockId b = 0; b < n; ++b) {
      const Block& block = g_.blocks[b];
      for (size_t i = 0; i < block.operators.size(); ++i) {
        for (BlockId callee : Callees(block.operators[i])) {
          if (callee >= n) {
            return Error(absl::StrCat(OpLabel(b, i), ": block id ", callee, " is out of range"));
          }
          if (callee == Graph::kMainBlock) {
            return Error(absl::StrCat(OpLabel(b, i), ": cannot run the entry block '",
                                      g_.blocks[callee].name, "' as a branch or loop body"));
          }
          calls[b].push_back(callee);
        }
      }
    }
    // Iterative DFS with colours: 0 unvisited, 1 on the stack, 2 done.
    std::vector<int> colour(n, 0);
    for (BlockId start = 0; start < n; ++start) {
      if (colour[start] != 0) continue;
      std::vector<std::pair<BlockId, size_t>> stack = {{start, 0}};
      colour[start] = 1;
      while (!stack.empty()) {
        auto& [b, next] = stack.back();
        if (next == calls[b].size()) {
          colour[b] = 2;
          stack.pop_back();
          continue;
        }
        const BlockId callee = calls[b][next++];
        if (colour[callee] == 1) {
          return Error(absl::StrCat(BlockLabel(callee),
                                    " is reached from itself through COND_IF / WHILE_LOOP; "
                                    "recursion is not allowed"));
        }
        if (colour[callee] == 0) {
          colour[callee] = 1;
          stack.emplace_back(callee, 0);
        }
      }
    }
    return absl::OkStatus();
  }

  // ---------------------------------------------------------------- operators

  std::string OpLabel(BlockId b, size_t i) const {
    return absl::StrCat(BlockLabel(b), ", operator #", i, " (", Name(g_.blocks[b].operators[i].op),
                        ")");
  }

  // State for checking one operator.
  struct Ctx {
    BlockId block;
    size_t index;
    const Operator* op;
    std::string label;
  };

  absl::Status Fail(const Ctx& c, absl::string_view message) const {
    return Error(absl::StrCat(c.label, ": ", message));
  }

  const Tensor& In(const Ctx& c, size_t k) const { return g_.tensors[c.op->inputs[k]]; }
  const Tensor& Out(const Ctx& c, size_t k) const { return g_.tensors[c.op->outputs[k]]; }
  std::string InName(const Ctx& c, size_t k) const {
    return absl::StrCat("input ", k, " ", Describe(c.op->inputs[k]));
  }
  std::string OutName(const Ctx& c, size_t k) const {
    return absl::StrCat("output ", k, " ", Describe(c.op->outputs[k]));
  }

  absl::Status Arity(const Ctx& c, size_t min_in, size_t max_in, size_t outputs) const {
    const size_t n = c.op->inputs.size();
    if (n < min_in || n > max_in) {
      const std::string want = min_in == max_in     ? absl::StrCat(min_in)
                               : max_in == SIZE_MAX ? absl::StrCat("at least ", min_in)
                                                    : absl::StrCat(min_in, " to ", max_in);
      return Fail(c, absl::StrCat("has ", n, " inputs; expected ", want));
    }
    if (c.op->outputs.size() != outputs) {
      return Fail(c, absl::StrCat("has ", c.op->outputs.size(), " outputs; expected ", outputs));
    }
    return absl::OkStatus();
  }

  absl::Status InType(const Ctx& c, size_t k, DTypes allowed) const {
    return InType(c, k, std::vector<DType>(allowed));
  }
  absl::Status InType(const Ctx& c, size_t k, const std::vector<DType>& allowed) const {
    if (OneOf(In(c, k).dtype, allowed)) return absl::OkStatus();
    return Fail(
        c, absl::StrCat(InName(c, k), " has an unsupported dtype; allowed: ", DTypeList(allowed)));
  }
  absl::Status OutType(const Ctx& c, size_t k, DTypes allowed) const {
    return OutType(c, k, std::vector<DType>(allowed));
  }
  absl::Status OutType(const Ctx& c, size_t k, const std::vector<DType>& allowed) const {
    if (OneOf(Out(c, k).dtype, allowed)) return absl::OkStatus();
    return Fail(
        c, absl::StrCat(OutName(c, k), " has an unsupported dtype; allowed: ", DTypeList(allowed)));
  }
  absl::Status SameType(const Ctx& c, const Tensor& a, absl::string_view a_name, const Tensor& b,
                        absl::string_view b_name) const {
    if (a.dtype == b.dtype) return absl::OkStatus();
    return Fail(c, absl::StrCat(a_name, " is ", Name(a.dtype), " but ", b_name, " is ",
                                Name(b.dtype), "; they must match"));
  }
  absl::Status InRank(const Ctx& c, size_t k, size_t rank) const {
    if (In(c, k).shape.size() == rank) return absl::OkStatus();
    return Fail(c, absl::StrCat(InName(c, k), " must have rank ", rank));
  }
  absl::Status OutShape(const Ctx& c, size_t k, const Shape& expected) const {
    if (Out(c, k).shape == expected) return absl::OkStatus();
    return Fail(c, absl::StrCat(OutName(c, k), " must have shape ", ShapeString(expected)));
  }
  // Zero points, shifts and pad values: a one-element rank-1 tensor of `dtype`.
  absl::Status Scalar1(const Ctx& c, size_t k, absl::string_view what, DTypes allowed) const {
    const Tensor& t = In(c, k);
    if (t.shape != Shape{1}) {
      return Fail(c, absl::StrCat(what, " (", InName(c, k), ") must have shape [1]"));
    }
    if (!OneOf(t.dtype, allowed)) {
      return Fail(c, absl::StrCat(what, " (", InName(c, k), ") must be ", DTypeList(allowed)));
    }
    return absl::OkStatus();
  }

  // Values of a CONST / CONST_SHAPE output; nullopt for anything computed at run time.
  std::optional<std::vector<int64_t>> ConstInts(TensorId id) const {
    const Operator* producer = producer_[id];
    if (producer == nullptr || (producer->op != Op::kConst && producer->op != Op::kConstShape)) {
      return std::nullopt;
    }
    const Tensor& t = g_.tensors[id];
    if (!OneOf(t.dtype,
               {DType::kBool, DType::kInt8, DType::kInt16, DType::kInt32, DType::kShape})) {
      return std::nullopt;
    }
    const std::optional<int64_t> n = ElementCount(t);
    if (!n.has_value() || static_cast<int64_t>(t.data.size()) != DTypeDataSize(t.dtype, *n)) {
      return std::nullopt;
    }
    std::vector<int64_t> values(static_cast<size_t>(*n));
    for (size_t i = 0; i < values.size(); ++i) values[i] = IntElement(t, i);
    return values;
  }

  // A shape operand: SHAPE [length] produced by CONST_SHAPE, whose values are returned. The
  // empty shape (of a rank-0 tensor) is written as a rank-0 SHAPE tensor whose one stored element
  // carries no meaning; it is accepted where `length` is 0.
  absl::StatusOr<std::vector<int64_t>> ShapeInput(const Ctx& c, size_t k, absl::string_view what,
                                                  size_t length) const {
    const Tensor& t = In(c, k);
    if (t.dtype != DType::kShape) {
      return Fail(c, absl::StrCat(what, " (", InName(c, k), ") must be a SHAPE tensor"));
    }
    const bool empty_scalar = length == 0 && t.shape.empty();
    if (!empty_scalar && t.shape != Shape{static_cast<int64_t>(length)}) {
      return Fail(c, absl::StrCat(what, " (", InName(c, k), ") must have ", length, " entries"));
    }
    const Operator* producer = producer_[c.op->inputs[k]];
    if (producer == nullptr || producer->op != Op::kConstShape) {
      return Fail(c, absl::StrCat(what, " (", InName(c, k),
                                  ") must be the output of a CONST_SHAPE operator"));
    }
    std::optional<std::vector<int64_t>> values = ConstInts(c.op->inputs[k]);
    if (!values.has_value()) {
      return Fail(c, absl::StrCat(what, " (", InName(c, k), ") has no constant data"));
    }
    if (empty_scalar) values->clear();
    return *std::move(values);
  }

  // The elementwise broadcast of TOSA: equal ranks; each dimension equal or 1.
  absl::StatusOr<Shape> Broadcast(const Ctx& c, std::initializer_list<size_t> inputs) const {
    Shape result;
    bool first = true;
    for (size_t k : inputs) {
      const Shape& s = In(c, k).shape;
      if (first) {
        result = s;
        first = false;
        continue;
      }
      if (s.size() != result.size()) {
        return Fail(c, absl::StrCat("inputs must have the same rank; ", InName(c, k),
                                    " differs from ", ShapeString(result)));
      }
      for (size_t d = 0; d < s.size(); ++d) {
        if (s[d] == result[d] || s[d] == 1) continue;
        if (result[d] == 1) {
          result[d] = s[d];
          continue;
        }
        return Fail(
            c, absl::StrCat("cannot broadcast ", InName(c, k), " with the earlier inputs' shape ",
                            ShapeString(result), " in dimension ", d));
      }
    }
    return result;
  }

  absl::Status Axis(const Ctx& c, int32_t axis, size_t rank) const {
    if (axis >= 0 && static_cast<size_t>(axis) < rank) return absl::OkStatus();
    return Fail(c, absl::StrCat("axis ", axis, " is outside [0, ", rank, ")"));
  }

  absl::Status NanModeKnown(const Ctx& c, NanMode mode) const {
    if (mode == NanMode::kPropagate || mode == NanMode::kIgnore) return absl::OkStatus();
    return Fail(c, absl::StrCat("nan_mode ", static_cast<uint32_t>(mode),
                                " is not PROPAGATE or "
                                "IGNORE"));
  }

  absl::Status AttrVector(const Ctx& c, absl::string_view name, const std::vector<int32_t>& v,
                          size_t size, int32_t min_value) const {
    if (v.size() != size) {
      return Fail(c,
                  absl::StrCat("attribute ", name, " has ", v.size(), " entries; expected ", size));
    }
    for (int32_t x : v) {
      if (x < min_value) {
        return Fail(c, absl::StrCat("attribute ", name, " [", absl::StrJoin(v, ","),
                                    "] has an entry below ", min_value));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckOperator(BlockId b, size_t i) {
    const Operator& op = g_.blocks[b].operators[i];
    Ctx c{b, i, &op, OpLabel(b, i)};
    const auto op_value = static_cast<uint32_t>(op.op);
    if (op.op == Op::kUnknown || op_value > kMaxOpValue) {
      return Fail(c, absl::StrCat("unknown operator value ", op_value));
    }
    if (!AttributeMatchesOp(op.op, op.attribute)) {
      return Fail(c, "carries the attribute of another operator");
    }
    switch (op.op) {
      case Op::kArgMax:
        return CheckArgMax(c);
      case Op::kAvgPool2d:
        return CheckAvgPool2d(c);
      case Op::kConv2d:
        return CheckConv(c, 2, false);
      case Op::kConv3d:
        return CheckConv(c, 3, false);
      case Op::kDepthwiseConv2d:
        return CheckConv(c, 2, true);
      case Op::kTransposeConv2d:
        return CheckTransposeConv2d(c);
      case Op::kFft2d:
        return CheckFft2d(c);
      case Op::kRfft2d:
        return CheckRfft2d(c);
      case Op::kMatMul:
        return CheckMatMul(c);
      case Op::kMaxPool2d:
        return CheckMaxPool2d(c);
      case Op::kClamp:
        return CheckClamp(c);
      case Op::kErf:
      case Op::kSigmoid:
      case Op::kTanh:
      case Op::kCeil:
      case Op::kFloor:
      case Op::kCos:
      case Op::kSin:
      case Op::kExp:
      case Op::kLog:
      case Op::kReciprocal:
      case Op::kRsqrt:
        return CheckUnary(c, kFloatTypes);
      case Op::kAbs:
        return CheckUnary(c, kAddTypes);
      case Op::kBitwiseNot:
        return CheckUnary(c, kIntTypes);
      case Op::kClz:
        return CheckUnary(c, {DType::kInt32});
      case Op::kLogicalNot:
        return CheckUnary(c, {DType::kBool});
      case Op::kNegate:
        return CheckNegate(c);
      case Op::kAdd:
      case Op::kSub:
        return CheckBinary(c, kAddTypes, std::nullopt);
      case Op::kMaximum:
      case Op::kMinimum: {
        const NanMode mode = op.op == Op::kMaximum ? std::get<MaximumAttr>(op.attribute).nan_mode
                                                   : std::get<MinimumAttr>(op.attribute).nan_mode;
        if (absl::Status s = NanModeKnown(c, mode); !s.ok()) return s;
        return CheckBinary(c, kAddTypes, std::nullopt);
      }
      case Op::kPow:
        return CheckBinary(c, kFloatTypes, std::nullopt);
      case Op::kIntDiv:
        return CheckBinary(c, {DType::kInt32}, std::nullopt);
      case Op::kArithmeticRightShift:
      case Op::kBitwiseAnd:
      case Op::kBitwiseOr:
      case Op::kBitwiseXor:
      case Op::kLogicalLeftShift:
      case Op::kLogicalRightShift:
        return CheckBinary(c, kIntTypes, std::nullopt);
      case Op::kLogicalAnd:
      case Op::kLogicalOr:
      case Op::kLogicalXor:
        return CheckBinary(c, {DType::kBool}, std::nullopt);
      case Op::kEqual:
      case Op::kGreater:
      case Op::kGreaterEqual:
        return CheckBinary(c, kAddTypes, DType::kBool);
      case Op::kMul:
        return CheckMul(c);
      case Op::kTable:
        return CheckTable(c);
      case Op::kSelect:
        return CheckSelect(c);
      case Op::kReduceAll:
        return CheckReduce(c, std::get<ReduceAllAttr>(op.attribute).axis, {DType::kBool});
      case Op::kReduceAny:
        return CheckReduce(c, std::get<ReduceAnyAttr>(op.attribute).axis, {DType::kBool});
      case Op::kReduceMax: {
        const auto& a = std::get<ReduceMaxAttr>(op.attribute);
        if (absl::Status s = NanModeKnown(c, a.nan_mode); !s.ok()) return s;
        return CheckReduce(
            c, a.axis,
            {DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp16, DType::kBf16, DType::kFp32});
      }
      case Op::kReduceMin: {
        const auto& a = std::get<ReduceMinAttr>(op.attribute);
        if (absl::Status s = NanModeKnown(c, a.nan_mode); !s.ok()) return s;
        return CheckReduce(
            c, a.axis,
            {DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp16, DType::kBf16, DType::kFp32});
      }
      case Op::kReduceProduct:
        return CheckReduce(c, std::get<ReduceProductAttr>(op.attribute).axis, kFloatTypes);
      case Op::kReduceSum:
        return CheckReduce(c, std::get<ReduceSumAttr>(op.attribute).axis, kAddTypes);
      case Op::kConcat:
        return CheckConcat(c);
      case Op::kPad:
        return CheckPad(c);
      case Op::kReshape:
        return CheckReshape(c);
      case Op::kReverse:
        return CheckReverse(c);
      case Op::kSlice:
        return CheckSlice(c);
      case Op::kTile:
        return CheckTile(c);
      case Op::kTranspose:
        return CheckTranspose(c);
      case Op::kGather:
        return CheckGather(c);
      case Op::kScatter:
        return CheckScatter(c);
      case Op::kResize:
        return CheckResize(c);
      case Op::kCast:
        return CheckCast(c);
      case Op::kRescale:
        return CheckRescale(c);
      case Op::kConst:
        return CheckConst(c, false);
      case Op::kConstShape:
        return CheckConst(c, true);
      case Op::kIdentity:
        return CheckIdentity(c);
      case Op::kCondIf:
        return CheckCondIf(c);
      case Op::kWhileLoop:
        return CheckWhileLoop(c);
      case Op::kCustom:
        // Ids were checked above; what a custom operator accepts is its implementation's call.
        return absl::OkStatus();
      case Op::kVariable:
      case Op::kVariableWrite:
      case Op::kVariableRead:
        return absl::OkStatus();  // ValidateVariables checked them

      case Op::kUnknown:
        break;
    }
    return Fail(c, "unknown operator");
  }

  // ---------------------------------------------------------------- elementwise

  absl::Status CheckUnary(const Ctx& c, DTypes allowed) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    if (absl::Status s = InType(c, 0, allowed); !s.ok()) return s;
    if (absl::Status s = SameType(c, Out(c, 0), "the output", In(c, 0), "the input"); !s.ok()) {
      return s;
    }
    return OutShape(c, 0, In(c, 0).shape);
  }

  absl::Status CheckNegate(const Ctx& c) const {
    if (absl::Status s = Arity(c, 3, 3, 1); !s.ok()) return s;
    if (absl::Status s = InType(
            c, 0,
            {DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp16, DType::kBf16, DType::kFp32});
        !s.ok()) {
      return s;
    }
    const DType t = In(c, 0).dtype;
    if (absl::Status s = Scalar1(c, 1, "input1_zp", {t}); !s.ok()) return s;
    if (absl::Status s = Scalar1(c, 2, "output_zp", {t}); !s.ok()) return s;
    if (absl::Status s = SameType(c, Out(c, 0), "the output", In(c, 0), "the input"); !s.ok()) {
      return s;
    }
    return OutShape(c, 0, In(c, 0).shape);
  }

  // Two same-typed broadcast inputs; output of `out_type` (default: the input type).
  absl::Status CheckBinary(const Ctx& c, DTypes allowed, std::optional<DType> out_type) const {
    if (absl::Status s = Arity(c, 2, 2, 1); !s.ok()) return s;
    if (absl::Status s = InType(c, 0, allowed); !s.ok()) return s;
    if (absl::Status s = SameType(c, In(c, 1), "input 1", In(c, 0), "input 0"); !s.ok()) return s;
    const DType expected = out_type.value_or(In(c, 0).dtype);
    if (Out(c, 0).dtype != expected) {
      return Fail(c, absl::StrCat(OutName(c, 0), " must be ", Name(expected)));
    }
    absl::StatusOr<Shape> shape = Broadcast(c, {0, 1});
    if (!shape.ok()) return shape.status();
    return OutShape(c, 0, *shape);
  }

  absl::Status CheckMul(const Ctx& c) const {
    if (absl::Status s = Arity(c, 3, 3, 1); !s.ok()) return s;
    if (absl::Status s = InType(
            c, 0,
            {DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp16, DType::kBf16, DType::kFp32});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = SameType(c, In(c, 1), "input 1", In(c, 0), "input 0"); !s.ok()) return s;
    if (absl::Status s = Scalar1(c, 2, "shift", {DType::kInt8}); !s.ok()) return s;
    const DType in = In(c, 0).dtype;
    const DType expected = IsIntegerDType(in) ? DType::kInt32 : in;
    if (Out(c, 0).dtype != expected) {
      return Fail(c, absl::StrCat(OutName(c, 0), " must be ", Name(expected)));
    }
    if (std::optional<std::vector<int64_t>> shift = ConstInts(c.op->inputs[2])) {
      const int64_t v = (*shift)[0];
      if (v < 0 || v > 63 || (v != 0 && in != DType::kInt32)) {
        return Fail(c, absl::StrCat("shift ", v, " is invalid; it must be 0, or 0..63 for INT32"));
      }
    }
    absl::StatusOr<Shape> shape = Broadcast(c, {0, 1});
    if (!shape.ok()) return shape.status();
    return OutShape(c, 0, *shape);
  }

  absl::Status CheckTable(const Ctx& c) const {
    if (absl::Status s = Arity(c, 2, 2, 1); !s.ok()) return s;
    if (absl::Status s = InType(c, 0, {DType::kInt8, DType::kInt16}); !s.ok()) return s;
    const bool is_int8 = In(c, 0).dtype == DType::kInt8;
    const int64_t entries = is_int8 ? 256 : 513;
    if (In(c, 1).dtype != In(c, 0).dtype || In(c, 1).shape != Shape{entries}) {
      return Fail(c, absl::StrCat("table (", InName(c, 1), ") must be ", Name(In(c, 0).dtype), "[",
                                  entries, "]"));
    }
    const DType expected = is_int8 ? DType::kInt8 : DType::kInt32;
    if (Out(c, 0).dtype != expected) {
      return Fail(c, absl::StrCat(OutName(c, 0), " must be ", Name(expected)));
    }
    return OutShape(c, 0, In(c, 0).shape);
  }

  absl::Status CheckSelect(const Ctx& c) const {
    if (absl::Status s = Arity(c, 3, 3, 1); !s.ok()) return s;
    if (absl::Status s = InType(c, 0, {DType::kBool}); !s.ok()) return s;
    if (absl::Status s = InType(c, 1,
                                {DType::kBool, DType::kInt8, DType::kInt16, DType::kInt32,
                                 DType::kFp16, DType::kBf16, DType::kFp32});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = SameType(c, In(c, 2), "input 2", In(c, 1), "input 1"); !s.ok()) return s;
    if (absl::Status s = SameType(c, Out(c, 0), "the output", In(c, 1), "input 1"); !s.ok()) {
      return s;
    }
    absl::StatusOr<Shape> shape = Broadcast(c, {0, 1, 2});
    if (!shape.ok()) return shape.status();
    return OutShape(c, 0, *shape);
  }

  absl::Status CheckClamp(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    // TOSA 1.0 lists no INT32 CLAMP.
    if (absl::Status s =
            InType(c, 0, {DType::kInt8, DType::kInt16, DType::kFp16, DType::kBf16, DType::kFp32});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = SameType(c, Out(c, 0), "the output", In(c, 0), "the input"); !s.ok()) {
      return s;
    }
    const auto& a = std::get<ClampAttr>(c.op->attribute);
    if (absl::Status s = NanModeKnown(c, a.nan_mode); !s.ok()) return s;
    const DType t = In(c, 0).dtype;
    const size_t size = static_cast<size_t>(*DTypeDataSize(t, 1));
    if (a.min_val.size() < size || a.max_val.size() < size) {
      return Fail(c, absl::StrCat("min_val / max_val hold ", a.min_val.size(), " / ",
                                  a.max_val.size(), " bytes; ", Name(t), " needs ", size));
    }
    if (IsIntegerDType(t)) {
      Tensor lo;
      lo.dtype = t;
      lo.data = a.min_val;
      Tensor hi;
      hi.dtype = t;
      hi.data = a.max_val;
      if (IntElement(lo, 0) > IntElement(hi, 0)) {
        return Fail(
            c, absl::StrCat("min_val ", IntElement(lo, 0), " exceeds max_val ", IntElement(hi, 0)));
      }
    } else if (t == DType::kFp32) {
      float lo, hi;
      std::memcpy(&lo, a.min_val.data(), 4);
      std::memcpy(&hi, a.max_val.data(), 4);
      if (lo > hi) return Fail(c, absl::StrCat("min_val ", lo, " exceeds max_val ", hi));
    }
    return OutShape(c, 0, In(c, 0).shape);
  }

  // ---------------------------------------------------------------- tensor operators

  absl::Status CheckArgMax(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    if (absl::Status s = InType(c, 0,
                                {DType::kInt8, DType::kInt16, DType::kFp16, DType::kBf16,
                                 DType::kFp32, DType::kFp8E4M3, DType::kFp8E5M2});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = OutType(c, 0, {DType::kInt32}); !s.ok()) return s;
    const auto& a = std::get<ArgMaxAttr>(c.op->attribute);
    if (absl::Status s = NanModeKnown(c, a.nan_mode); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    if (absl::Status s = Axis(c, a.axis, in.size()); !s.ok()) return s;
    Shape out = in;
    out.erase(out.begin() + a.axis);
    return OutShape(c, 0, out);
  }

  // The accumulator and output types TOSA allows for a convolution / matmul input type pair.
  struct ConvTypes {
    DType input, weight;
    std::array<DType, 2> acc;  // kUnknown pads the second slot when only one is allowed
    DType output;
  };
  static constexpr ConvTypes kConvTypes[] = {
      {DType::kInt8, DType::kInt8, {DType::kInt32, DType::kUnknown}, DType::kInt32},
      {DType::kInt8, DType::kInt4, {DType::kInt32, DType::kUnknown}, DType::kInt32},
      {DType::kInt16, DType::kInt8, {DType::kInt48, DType::kUnknown}, DType::kInt48},
      {DType::kFp16, DType::kFp16, {DType::kFp16, DType::kFp32}, DType::kFp16},
      {DType::kBf16, DType::kBf16, {DType::kFp32, DType::kUnknown}, DType::kBf16},
      {DType::kFp32, DType::kFp32, {DType::kFp32, DType::kUnknown}, DType::kFp32},
      {DType::kFp8E4M3, DType::kFp8E4M3, {DType::kFp16, DType::kUnknown}, DType::kFp16},
      {DType::kFp8E5M2, DType::kFp8E5M2, {DType::kFp16, DType::kUnknown}, DType::kFp16},
  };

  // input, weight, bias, input_zp, weight_zp: types, zero points and bias length.
  absl::Status ConvOperands(const Ctx& c, DType acc_type, int64_t out_channels) const {
    if (absl::Status s = Arity(c, 5, 5, 1); !s.ok()) return s;
    const DType in = In(c, 0).dtype;
    const DType w = In(c, 1).dtype;
    const ConvTypes* match = nullptr;
    for (const ConvTypes& t : kConvTypes) {
      if (t.input == in && t.weight == w) match = &t;
    }
    if (match == nullptr) {
      return Fail(c, absl::StrCat("input ", Name(in), " with weight ", Name(w),
                                  " is not a supported type combination"));
    }
    std::vector<DType> accs = {match->acc[0]};
    if (match->acc[1] != DType::kUnknown) accs.push_back(match->acc[1]);
    if (acc_type == DType::kUnknown || !OneOf(acc_type, accs)) {
      return Fail(c, absl::StrCat("acc_type ", Name(acc_type), " is not allowed for ", Name(in),
                                  " inputs; allowed: ", DTypeList(accs)));
    }
    if (Out(c, 0).dtype != match->output) {
      return Fail(c, absl::StrCat(OutName(c, 0), " must be ", Name(match->output)));
    }
    if (In(c, 2).dtype != match->output) {
      return Fail(c, absl::StrCat("bias (", InName(c, 2), ") must be ", Name(match->output)));
    }
    const Shape& bias = In(c, 2).shape;
    if (bias.size() != 1 || (bias[0] != 1 && bias[0] != out_channels)) {
      return Fail(
          c, absl::StrCat("bias (", InName(c, 2), ") must have shape [1] or [", out_channels, "]"));
    }
    if (absl::Status s = Scalar1(c, 3, "input_zp", {in}); !s.ok()) return s;
    return Scalar1(c, 4, "weight_zp", {w});
  }

  // CONV2D (spatial 2), CONV3D (spatial 3), DEPTHWISE_CONV2D (spatial 2, depthwise).
  absl::Status CheckConv(const Ctx& c, size_t spatial, bool depthwise) const {
    if (absl::Status s = Arity(c, 5, 5, 1); !s.ok()) return s;
    const std::vector<int32_t>* pad;
    const std::vector<int32_t>* stride;
    const std::vector<int32_t>* dilation;
    DType acc;
    if (const auto* a = std::get_if<Conv2dAttr>(&c.op->attribute)) {
      pad = &a->pad, stride = &a->stride, dilation = &a->dilation, acc = a->acc_type;
    } else if (const auto* a3 = std::get_if<Conv3dAttr>(&c.op->attribute)) {
      pad = &a3->pad, stride = &a3->stride, dilation = &a3->dilation, acc = a3->acc_type;
    } else {
      const auto& d = std::get<DepthwiseConv2dAttr>(c.op->attribute);
      pad = &d.pad, stride = &d.stride, dilation = &d.dilation, acc = d.acc_type;
    }
    if (absl::Status s = AttrVector(c, "pad", *pad, 2 * spatial, 0); !s.ok()) return s;
    if (absl::Status s = AttrVector(c, "stride", *stride, spatial, 1); !s.ok()) return s;
    if (absl::Status s = AttrVector(c, "dilation", *dilation, spatial, 1); !s.ok()) return s;
    const size_t rank = spatial + 2;
    if (absl::Status s = InRank(c, 0, rank); !s.ok()) return s;
    if (absl::Status s = InRank(c, 1, rank); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    const Shape& w = In(c, 1).shape;
    // Weight layouts: [OC, K..., IC] for CONV2D/3D, [KH, KW, C, M] for DEPTHWISE_CONV2D.
    int64_t out_channels;
    if (depthwise) {
      if (w[2] != in[3]) {
        return Fail(c, absl::StrCat("weight ", ShapeString(w), " has ", w[2],
                                    " input channels but the input has ", in[3]));
      }
      out_channels = in[3] * w[3];
    } else {
      if (w[rank - 1] != in[rank - 1]) {
        return Fail(c, absl::StrCat("weight ", ShapeString(w), " has ", w[rank - 1],
                                    " input channels but the input has ", in[rank - 1]));
      }
      out_channels = w[0];
    }
    if (absl::Status s = ConvOperands(c, acc, out_channels); !s.ok()) return s;
    Shape out = {in[0]};
    for (size_t d = 0; d < spatial; ++d) {
      const int64_t kernel = depthwise ? w[d] : w[d + 1];
      const int64_t numerator =
          in[d + 1] - 1 + (*pad)[2 * d] + (*pad)[2 * d + 1] - (kernel - 1) * (*dilation)[d];
      const std::optional<int64_t> size = WindowOutput(numerator, (*stride)[d]);
      if (!size.has_value()) {
        return Fail(c, absl::StrCat("spatial dimension ", d, ": input ", in[d + 1], ", kernel ",
                                    kernel, ", pad ", (*pad)[2 * d], "+", (*pad)[2 * d + 1],
                                    ", dilation ", (*dilation)[d], " and stride ", (*stride)[d],
                                    " do not give a whole, positive output size"));
      }
      out.push_back(*size);
    }
    out.push_back(out_channels);
    return OutShape(c, 0, out);
  }

  absl::Status CheckTransposeConv2d(const Ctx& c) const {
    if (absl::Status s = Arity(c, 5, 5, 1); !s.ok()) return s;
    const auto& a = std::get<TransposeConv2dAttr>(c.op->attribute);
    if (absl::Status s = AttrVector(c, "stride", a.stride, 2, 1); !s.ok()) return s;
    if (absl::Status s = InRank(c, 0, 4); !s.ok()) return s;
    if (absl::Status s = InRank(c, 1, 4); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    const Shape& w = In(c, 1).shape;
    if (w[3] != in[3]) {
      return Fail(c, absl::StrCat("weight ", ShapeString(w), " has ", w[3],
                                  " input channels but the input has ", in[3]));
    }
    // out_pad may be negative (cropping) but never remove a whole kernel.
    if (absl::Status s = AttrVector(c, "out_pad", a.out_pad, 4, INT32_MIN); !s.ok()) return s;
    const int64_t kh = w[1], kw = w[2];
    if (a.out_pad[0] <= -kh || a.out_pad[1] <= -kh || a.out_pad[2] <= -kw || a.out_pad[3] <= -kw) {
      return Fail(c, absl::StrCat("out_pad [", absl::StrJoin(a.out_pad, ","),
                                  "] must be greater than minus the kernel size ", kh, "x", kw));
    }
    if (absl::Status s = ConvOperands(c, a.acc_type, w[0]); !s.ok()) return s;
    const int64_t oh = (in[1] - 1) * a.stride[0] + a.out_pad[0] + a.out_pad[1] + kh;
    const int64_t ow = (in[2] - 1) * a.stride[1] + a.out_pad[2] + a.out_pad[3] + kw;
    if (oh < 1 || ow < 1) return Fail(c, "the output would be empty");
    return OutShape(c, 0, {in[0], oh, ow, w[0]});
  }

  absl::Status CheckMatMul(const Ctx& c) const {
    if (absl::Status s = Arity(c, 4, 4, 1); !s.ok()) return s;
    if (absl::Status s = InRank(c, 0, 3); !s.ok()) return s;
    if (absl::Status s = InRank(c, 1, 3); !s.ok()) return s;
    const DType a = In(c, 0).dtype;
    if (absl::Status s = SameType(c, In(c, 1), "B", In(c, 0), "A"); !s.ok()) return s;
    std::vector<DType> outs;
    switch (a) {
      case DType::kInt8:
        outs = {DType::kInt32};
        break;
      case DType::kInt16:
        outs = {DType::kInt48};
        break;
      case DType::kFp16:
        outs = {DType::kFp16, DType::kFp32};
        break;
      case DType::kBf16:
      case DType::kFp32:
        outs = {DType::kFp32};
        break;
      case DType::kFp8E4M3:
      case DType::kFp8E5M2:
        outs = {DType::kFp16};
        break;
      default:
        return Fail(c, absl::StrCat(InName(c, 0), " has an unsupported dtype"));
    }
    if (absl::Status s = OutType(c, 0, outs); !s.ok()) return s;
    if (absl::Status s = Scalar1(c, 2, "A_zp", {a}); !s.ok()) return s;
    if (absl::Status s = Scalar1(c, 3, "B_zp", {a}); !s.ok()) return s;
    const Shape& sa = In(c, 0).shape;
    const Shape& sb = In(c, 1).shape;
    if (sa[0] != sb[0] || sa[2] != sb[1]) {
      return Fail(c, absl::StrCat("A ", ShapeString(sa), " and B ", ShapeString(sb),
                                  " do not have the [N,H,C] x [N,C,W] layout"));
    }
    return OutShape(c, 0, {sa[0], sa[1], sb[2]});
  }

  absl::Status PoolWindow(const Ctx& c, const std::vector<int32_t>& kernel,
                          const std::vector<int32_t>& stride, const std::vector<int32_t>& pad,
                          Shape& out) const {
    if (absl::Status s = AttrVector(c, "kernel", kernel, 2, 1); !s.ok()) return s;
    if (absl::Status s = AttrVector(c, "stride", stride, 2, 1); !s.ok()) return s;
    if (absl::Status s = AttrVector(c, "pad", pad, 4, 0); !s.ok()) return s;
    if (pad[0] >= kernel[0] || pad[1] >= kernel[0] || pad[2] >= kernel[1] || pad[3] >= kernel[1]) {
      return Fail(
          c, absl::StrCat("pad [", absl::StrJoin(pad, ","), "] must be smaller than the kernel [",
                          absl::StrJoin(kernel, ","), "]"));
    }
    if (absl::Status s = InRank(c, 0, 4); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    out = {in[0]};
    for (size_t d = 0; d < 2; ++d) {
      const std::optional<int64_t> size =
          WindowOutput(in[d + 1] + pad[2 * d] + pad[2 * d + 1] - kernel[d], stride[d]);
      if (!size.has_value()) {
        return Fail(
            c, absl::StrCat("spatial dimension ", d, ": input ", in[d + 1], ", kernel ", kernel[d],
                            ", pad ", pad[2 * d], "+", pad[2 * d + 1], " and stride ", stride[d],
                            " do not give a whole, positive output size"));
      }
      out.push_back(*size);
    }
    out.push_back(in[3]);
    return absl::OkStatus();
  }

  absl::Status CheckAvgPool2d(const Ctx& c) const {
    if (absl::Status s = Arity(c, 3, 3, 1); !s.ok()) return s;
    const auto& a = std::get<AvgPool2dAttr>(c.op->attribute);
    const DType in = In(c, 0).dtype;
    std::vector<DType> accs;
    switch (in) {
      case DType::kInt8:
      case DType::kInt16:
        accs = {DType::kInt32};
        break;
      case DType::kFp16:
        accs = {DType::kFp16, DType::kFp32};
        break;
      case DType::kBf16:
      case DType::kFp32:
        accs = {DType::kFp32};
        break;
      case DType::kFp8E4M3:
      case DType::kFp8E5M2:
        accs = {DType::kFp16};
        break;
      default:
        return Fail(c, absl::StrCat(InName(c, 0), " has an unsupported dtype"));
    }
    if (!OneOf(a.acc_type, accs)) {
      return Fail(c, absl::StrCat("acc_type ", Name(a.acc_type), " is not allowed for ", Name(in),
                                  " input; allowed: ", DTypeList(accs)));
    }
    if (absl::Status s = SameType(c, Out(c, 0), "the output", In(c, 0), "the input"); !s.ok()) {
      return s;
    }
    if (absl::Status s = Scalar1(c, 1, "input_zp", {in}); !s.ok()) return s;
    if (absl::Status s = Scalar1(c, 2, "output_zp", {in}); !s.ok()) return s;
    Shape out;
    if (absl::Status s = PoolWindow(c, a.kernel, a.stride, a.pad, out); !s.ok()) return s;
    return OutShape(c, 0, out);
  }

  absl::Status CheckMaxPool2d(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    const auto& a = std::get<MaxPool2dAttr>(c.op->attribute);
    if (absl::Status s = NanModeKnown(c, a.nan_mode); !s.ok()) return s;
    if (absl::Status s = InType(c, 0,
                                {DType::kInt8, DType::kInt16, DType::kFp16, DType::kBf16,
                                 DType::kFp32, DType::kFp8E4M3, DType::kFp8E5M2});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = SameType(c, Out(c, 0), "the output", In(c, 0), "the input"); !s.ok()) {
      return s;
    }
    Shape out;
    if (absl::Status s = PoolWindow(c, a.kernel, a.stride, a.pad, out); !s.ok()) return s;
    return OutShape(c, 0, out);
  }

  absl::Status CheckFft2d(const Ctx& c) const {
    if (absl::Status s = Arity(c, 2, 2, 2); !s.ok()) return s;
    for (size_t k = 0; k < 2; ++k) {
      if (absl::Status s = InType(c, k, {DType::kFp32}); !s.ok()) return s;
      if (absl::Status s = OutType(c, k, {DType::kFp32}); !s.ok()) return s;
    }
    if (absl::Status s = InRank(c, 0, 3); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    if (In(c, 1).shape != in) {
      return Fail(c, absl::StrCat(InName(c, 1), " must have the shape of input 0"));
    }
    if (!IsPowerOfTwo(in[1]) || !IsPowerOfTwo(in[2])) {
      return Fail(c,
                  absl::StrCat("height and width of ", ShapeString(in), " must be powers of two"));
    }
    if (absl::Status s = OutShape(c, 0, in); !s.ok()) return s;
    return OutShape(c, 1, in);
  }

  absl::Status CheckRfft2d(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, 1, 2); !s.ok()) return s;
    if (absl::Status s = InType(c, 0, {DType::kFp32}); !s.ok()) return s;
    if (absl::Status s = OutType(c, 0, {DType::kFp32}); !s.ok()) return s;
    if (absl::Status s = OutType(c, 1, {DType::kFp32}); !s.ok()) return s;
    if (absl::Status s = InRank(c, 0, 3); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    if (!IsPowerOfTwo(in[1]) || !IsPowerOfTwo(in[2])) {
      return Fail(c,
                  absl::StrCat("height and width of ", ShapeString(in), " must be powers of two"));
    }
    const Shape out = {in[0], in[1], in[2] / 2 + 1};
    if (absl::Status s = OutShape(c, 0, out); !s.ok()) return s;
    return OutShape(c, 1, out);
  }

  // ---------------------------------------------------------------- reductions and layout

  absl::Status CheckReduce(const Ctx& c, int32_t axis, DTypes allowed) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    if (absl::Status s = InType(c, 0, allowed); !s.ok()) return s;
    if (absl::Status s = SameType(c, Out(c, 0), "the output", In(c, 0), "the input"); !s.ok()) {
      return s;
    }
    Shape out = In(c, 0).shape;
    if (absl::Status s = Axis(c, axis, out.size()); !s.ok()) return s;
    out[axis] = 1;
    return OutShape(c, 0, out);
  }

  // Input 0 and output 0 of a data-movement operator: same dtype, one of kDataTypes.
  absl::Status DataMovement(const Ctx& c) const {
    if (absl::Status s = InType(c, 0, kDataTypes); !s.ok()) return s;
    return SameType(c, Out(c, 0), "the output", In(c, 0), "the input");
  }

  absl::Status CheckConcat(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, SIZE_MAX, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    const int32_t axis = std::get<ConcatAttr>(c.op->attribute).axis;
    Shape out = In(c, 0).shape;
    if (absl::Status s = Axis(c, axis, out.size()); !s.ok()) return s;
    for (size_t k = 1; k < c.op->inputs.size(); ++k) {
      const Tensor& t = In(c, k);
      if (absl::Status s = SameType(c, t, absl::StrCat("input ", k), In(c, 0), "input 0");
          !s.ok()) {
        return s;
      }
      if (t.shape.size() != out.size()) {
        return Fail(c, absl::StrCat(InName(c, k), " must have the rank of input 0"));
      }
      for (size_t d = 0; d < out.size(); ++d) {
        if (static_cast<int32_t>(d) == axis) continue;
        if (t.shape[d] != out[d]) {
          return Fail(c, absl::StrCat(InName(c, k), " differs from input 0 in dimension ", d,
                                      " (only axis ", axis, " may differ)"));
        }
      }
      out[axis] += t.shape[axis];
    }
    if (out[axis] > kMaxDim) return Fail(c, "the concatenated dimension is too large");
    return OutShape(c, 0, out);
  }

  absl::Status CheckPad(const Ctx& c) const {
    if (absl::Status s = Arity(c, 3, 3, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    absl::StatusOr<std::vector<int64_t>> padding = ShapeInput(c, 1, "padding", 2 * in.size());
    if (!padding.ok()) return padding.status();
    if (absl::Status s = Scalar1(c, 2, "pad_const", {In(c, 0).dtype}); !s.ok()) return s;
    Shape out;
    for (size_t d = 0; d < in.size(); ++d) {
      const int64_t before = (*padding)[2 * d], after = (*padding)[2 * d + 1];
      if (before < 0 || after < 0 || before > kMaxDim || after > kMaxDim) {
        return Fail(
            c, absl::StrCat("padding [", absl::StrJoin(*padding, ","), "] must be non-negative"));
      }
      out.push_back(in[d] + before + after);
    }
    return OutShape(c, 0, out);
  }

  absl::Status CheckReshape(const Ctx& c) const {
    if (absl::Status s = Arity(c, 2, 2, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    const Shape& out = Out(c, 0).shape;
    absl::StatusOr<std::vector<int64_t>> shape = ShapeInput(c, 1, "shape", out.size());
    if (!shape.ok()) return shape.status();
    if (Shape(shape->begin(), shape->end()) != out) {
      return Fail(c, absl::StrCat("shape operand [", absl::StrJoin(*shape, ","), "] differs from ",
                                  OutName(c, 0)));
    }
    if (ElementCount(In(c, 0)) != ElementCount(Out(c, 0))) {
      return Fail(
          c, absl::StrCat(OutName(c, 0), " has a different element count than ", InName(c, 0)));
    }
    return absl::OkStatus();
  }

  absl::Status CheckReverse(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    if (absl::Status s = Axis(c, std::get<ReverseAttr>(c.op->attribute).axis, in.size()); !s.ok()) {
      return s;
    }
    return OutShape(c, 0, in);
  }

  absl::Status CheckSlice(const Ctx& c) const {
    if (absl::Status s = Arity(c, 3, 3, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    absl::StatusOr<std::vector<int64_t>> start = ShapeInput(c, 1, "start", in.size());
    if (!start.ok()) return start.status();
    absl::StatusOr<std::vector<int64_t>> size = ShapeInput(c, 2, "size", in.size());
    if (!size.ok()) return size.status();
    for (size_t d = 0; d < in.size(); ++d) {
      const int64_t s0 = (*start)[d], n = (*size)[d];
      if (s0 < 0 || n < 1 || s0 > in[d] || n > in[d] - s0) {
        return Fail(c,
                    absl::StrCat("start [", absl::StrJoin(*start, ","), "] and size [",
                                 absl::StrJoin(*size, ","), "] do not fit in ", ShapeString(in)));
      }
    }
    return OutShape(c, 0, Shape(size->begin(), size->end()));
  }

  absl::Status CheckTile(const Ctx& c) const {
    if (absl::Status s = Arity(c, 2, 2, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    absl::StatusOr<std::vector<int64_t>> multiples = ShapeInput(c, 1, "multiples", in.size());
    if (!multiples.ok()) return multiples.status();
    Shape out;
    for (size_t d = 0; d < in.size(); ++d) {
      const int64_t m = (*multiples)[d];
      if (m < 1 || m > kMaxDim || in[d] * m > kMaxDim) {
        return Fail(c, absl::StrCat("multiples [", absl::StrJoin(*multiples, ","),
                                    "] must be positive and keep dimensions below 2^31"));
      }
      out.push_back(in[d] * m);
    }
    return OutShape(c, 0, out);
  }

  absl::Status CheckTranspose(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    const Shape& in = In(c, 0).shape;
    const std::vector<int32_t>& perms = std::get<TransposeAttr>(c.op->attribute).perms;
    std::vector<bool> seen(in.size(), false);
    bool ok = perms.size() == in.size();
    for (size_t d = 0; ok && d < perms.size(); ++d) {
      ok = perms[d] >= 0 && static_cast<size_t>(perms[d]) < in.size() && !seen[perms[d]];
      if (ok) seen[perms[d]] = true;
    }
    if (!ok) {
      return Fail(
          c, absl::StrCat("perms [", absl::StrJoin(perms, ","), "] is not a permutation of the ",
                          in.size(), " input dimensions"));
    }
    Shape out;
    for (int32_t p : perms) out.push_back(in[p]);
    return OutShape(c, 0, out);
  }

  absl::Status CheckGather(const Ctx& c) const {
    if (absl::Status s = Arity(c, 2, 2, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    if (absl::Status s = InType(c, 1, {DType::kInt32}); !s.ok()) return s;
    if (absl::Status s = InRank(c, 0, 3); !s.ok()) return s;
    if (absl::Status s = InRank(c, 1, 2); !s.ok()) return s;
    const Shape& values = In(c, 0).shape;
    const Shape& indices = In(c, 1).shape;
    if (indices[0] != values[0]) {
      return Fail(c, "values [N,K,C] and indices [N,W] must agree on N");
    }
    return OutShape(c, 0, {values[0], indices[1], values[2]});
  }

  absl::Status CheckScatter(const Ctx& c) const {
    if (absl::Status s = Arity(c, 3, 3, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    if (absl::Status s = InType(c, 1, {DType::kInt32}); !s.ok()) return s;
    if (absl::Status s = SameType(c, In(c, 2), "input 2", In(c, 0), "input 0"); !s.ok()) return s;
    if (absl::Status s = InRank(c, 0, 3); !s.ok()) return s;
    if (absl::Status s = InRank(c, 1, 2); !s.ok()) return s;
    if (absl::Status s = InRank(c, 2, 3); !s.ok()) return s;
    const Shape& values = In(c, 0).shape;
    const Shape& indices = In(c, 1).shape;
    const Shape& input = In(c, 2).shape;
    if (indices[0] != values[0] || input[0] != values[0] || input[1] != indices[1] ||
        input[2] != values[2] || indices[1] > values[1]) {
      return Fail(c, "values_in [N,K,C], indices [N,W] and input [N,W,C] (W <= K) disagree");
    }
    return OutShape(c, 0, values);
  }

  absl::Status CheckResize(const Ctx& c) const {
    if (absl::Status s = Arity(c, 4, 4, 1); !s.ok()) return s;
    const auto& a = std::get<ResizeAttr>(c.op->attribute);
    if (a.mode != ResizeMode::kNearest && a.mode != ResizeMode::kBilinear) {
      return Fail(
          c, absl::StrCat("mode ", static_cast<uint32_t>(a.mode), " is not NEAREST or BILINEAR"));
    }
    const bool bilinear = a.mode == ResizeMode::kBilinear;
    DType expected;
    switch (In(c, 0).dtype) {
      case DType::kInt8:
        expected = bilinear ? DType::kInt32 : DType::kInt8;
        break;
      case DType::kInt16:
        expected = bilinear ? DType::kInt48 : DType::kInt16;
        break;
      case DType::kFp16:
      case DType::kBf16:
      case DType::kFp32:
        expected = In(c, 0).dtype;
        break;
      default:
        return Fail(c, absl::StrCat(InName(c, 0), " has an unsupported dtype"));
    }
    if (Out(c, 0).dtype != expected) {
      return Fail(c, absl::StrCat(OutName(c, 0), " must be ", Name(expected)));
    }
    if (absl::Status s = InRank(c, 0, 4); !s.ok()) return s;
    absl::StatusOr<std::vector<int64_t>> scale = ShapeInput(c, 1, "scale", 4);
    if (!scale.ok()) return scale.status();
    absl::StatusOr<std::vector<int64_t>> offset = ShapeInput(c, 2, "offset", 2);
    if (!offset.ok()) return offset.status();
    absl::StatusOr<std::vector<int64_t>> border = ShapeInput(c, 3, "border", 2);
    if (!border.ok()) return border.status();
    const Shape& in = In(c, 0).shape;
    Shape out = {in[0]};
    for (size_t d = 0; d < 2; ++d) {
      const int64_t n = (*scale)[2 * d], den = (*scale)[2 * d + 1];
      const int64_t off = (*offset)[d], bor = (*border)[d];
      // Bounds from the specification keep the kernel's fixed-point arithmetic in range.
      if (n <= 0 || den <= 0 || n > (1 << 11) || den >= 16 * n || off < -n || off >= 16 * n ||
          bor < -16 * n || bor >= n) {
        return Fail(c, absl::StrCat("scale [", absl::StrJoin(*scale, ","), "], offset [",
                                    absl::StrJoin(*offset, ","), "] or border [",
                                    absl::StrJoin(*border, ","), "] is out of range"));
      }
      const std::optional<int64_t> size = WindowOutput((in[d + 1] - 1) * n - off + bor, den);
      if (!size.has_value()) {
        return Fail(c, absl::StrCat("spatial dimension ", d,
                                    ": scale, offset and border do not give a whole, positive "
                                    "output size"));
      }
      out.push_back(*size);
    }
    out.push_back(in[3]);
    return OutShape(c, 0, out);
  }

  absl::Status CheckCast(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    const std::vector<DType> kCastTypes = {DType::kBool,  DType::kInt8,    DType::kInt16,
                                           DType::kInt32, DType::kFp16,    DType::kBf16,
                                           DType::kFp32,  DType::kFp8E4M3, DType::kFp8E5M2};
    if (absl::Status s = InType(c, 0, kCastTypes); !s.ok()) return s;
    if (absl::Status s = OutType(c, 0, kCastTypes); !s.ok()) return s;
    // The FP8 extensions define conversions to and from FP16, BF16 and FP32 only.
    const DType in_type = In(c, 0).dtype, out_type = Out(c, 0).dtype;
    auto is_fp8 = [](DType t) { return t == DType::kFp8E4M3 || t == DType::kFp8E5M2; };
    auto is_wide_float = [](DType t) {
      return t == DType::kFp16 || t == DType::kBf16 || t == DType::kFp32;
    };
    if ((is_fp8(in_type) && !is_wide_float(out_type)) ||
        (is_fp8(out_type) && !is_wide_float(in_type))) {
      return Fail(c, absl::StrCat("CAST from ", std::string(DTypeName(in_type)), " to ",
                                  std::string(DTypeName(out_type)),
                                  " is not defined: FP8 converts to and from FP16, BF16 and FP32"));
    }
    return OutShape(c, 0, In(c, 0).shape);
  }

  absl::Status CheckRescale(const Ctx& c) const {
    if (absl::Status s = Arity(c, 5, 5, 1); !s.ok()) return s;
    const auto& a = std::get<RescaleAttr>(c.op->attribute);
    if (a.rounding_mode != RoundingMode::kSingleRound &&
        a.rounding_mode != RoundingMode::kInexactRound &&
        a.rounding_mode != RoundingMode::kDoubleRound) {
      return Fail(c, absl::StrCat("rounding_mode ", static_cast<uint32_t>(a.rounding_mode),
                                  " is not SINGLE_ROUND, INEXACT_ROUND or DOUBLE_ROUND"));
    }
    if (absl::Status s = InType(c, 0, {DType::kInt8, DType::kInt16, DType::kInt32, DType::kInt48});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = OutType(c, 0, {DType::kInt8, DType::kInt16, DType::kInt32}); !s.ok()) {
      return s;
    }
    const DType in = In(c, 0).dtype;
    const DType out = Out(c, 0).dtype;
    if (a.scale32 && in == DType::kInt48) {
      return Fail(c, "scale32 cannot be used with an INT48 input");
    }
    if (a.input_unsigned && in != DType::kInt8 && in != DType::kInt16) {
      return Fail(c, "input_unsigned needs an INT8 or INT16 input");
    }
    if (a.output_unsigned && out != DType::kInt8 && out != DType::kInt16) {
      return Fail(c, "output_unsigned needs an INT8 or INT16 output");
    }
    const Shape& shape = In(c, 0).shape;
    int64_t channels = 1;
    if (a.per_channel) {
      if (shape.empty()) return Fail(c, "per_channel needs an input of rank >= 1");
      channels = shape.back();
    }
    const DType multiplier_type = a.scale32 ? DType::kInt32 : DType::kInt16;
    if (In(c, 1).dtype != multiplier_type || In(c, 1).shape != Shape{channels}) {
      return Fail(c, absl::StrCat("multiplier (", InName(c, 1), ") must be ", Name(multiplier_type),
                                  "[", channels, "]"));
    }
    if (In(c, 2).dtype != DType::kInt8 || In(c, 2).shape != Shape{channels}) {
      return Fail(c, absl::StrCat("shift (", InName(c, 2), ") must be INT8[", channels, "]"));
    }
    if (std::optional<std::vector<int64_t>> shifts = ConstInts(c.op->inputs[2])) {
      for (int64_t v : *shifts) {
        if (v < 2 || v > 62) {
          return Fail(c, absl::StrCat("shift ", v, " is outside [2, 62]"));
        }
      }
    }
    if (absl::Status s = Scalar1(c, 3, "input_zp", {in}); !s.ok()) return s;
    if (absl::Status s = Scalar1(c, 4, "output_zp", {out}); !s.ok()) return s;
    return OutShape(c, 0, shape);
  }

  // ---------------------------------------------------------------- data nodes

  absl::Status CheckConst(const Ctx& c, bool shape) const {
    if (absl::Status s = Arity(c, 0, 0, 1); !s.ok()) return s;
    const Tensor& t = Out(c, 0);
    if (shape) {
      // Rank 0 is how writers spell the empty shape (see ShapeInput).
      if (t.dtype != DType::kShape || t.shape.size() > 1) {
        return Fail(c, absl::StrCat(OutName(c, 0), " must be a rank-1 SHAPE tensor"));
      }
    } else if (t.dtype == DType::kShape) {
      return Fail(c, absl::StrCat(OutName(c, 0), " is a SHAPE tensor; use CONST_SHAPE"));
    }
    // CheckTensor already matched non-empty data against dtype x shape; an empty payload is
    // only right for a tensor without elements.
    if (t.data.empty() && DTypeDataSize(t.dtype, ElementCount(t).value_or(0)).value_or(0) != 0) {
      return Fail(c, absl::StrCat(OutName(c, 0), " has no constant data"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckIdentity(const Ctx& c) const {
    if (absl::Status s = Arity(c, 1, 1, 1); !s.ok()) return s;
    if (absl::Status s = DataMovement(c); !s.ok()) return s;
    return OutShape(c, 0, In(c, 0).shape);
  }

  // ---------------------------------------------------------------- control flow

  // The tensors `ids` (an operator's operands) line up with `params` (a block's inputs or
  // outputs) in number, dtype and shape.
  absl::Status Matches(const Ctx& c, const std::vector<TensorId>& ids, size_t first,
                       const std::vector<TensorId>& params, BlockId callee,
                       absl::string_view what) const {
    const size_t n = ids.size() - first;
    if (params.size() != n) {
      return Fail(c, absl::StrCat(BlockLabel(callee), " has ", params.size(), " ", what,
                                  " but the operator passes ", n));
    }
    for (size_t k = 0; k < n; ++k) {
      const Tensor& a = g_.tensors[ids[first + k]];
      const Tensor& b = g_.tensors[params[k]];
      if (a.dtype != b.dtype || a.shape != b.shape) {
        return Fail(
            c, absl::StrCat(Describe(ids[first + k]), " does not match ", BlockLabel(callee), "'s ",
                            what, " ", k, " ", Describe(params[k])));
      }
    }
    return absl::OkStatus();
  }

  absl::Status BoolScalar(const Ctx& c, TensorId t, absl::string_view what) const {
    const Tensor& tensor = g_.tensors[t];
    if (tensor.dtype != DType::kBool || ElementCount(tensor) != 1) {
      return Fail(c, absl::StrCat(what, " ", Describe(t), " must be a one-element BOOL tensor"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckCondIf(const Ctx& c) const {
    if (c.op->inputs.empty()) return Fail(c, "needs a condition input");
    if (absl::Status s = BoolScalar(c, c.op->inputs[0], "the condition"); !s.ok()) return s;
    const auto& a = std::get<CondIfAttr>(c.op->attribute);
    if (!a.then_block.has_value() || !a.else_block.has_value()) {
      return Fail(c, "then_graph / else_graph are not resolved to blocks");
    }
    for (BlockId callee : {*a.then_block, *a.else_block}) {
      const Block& body = g_.blocks[callee];
      if (absl::Status s = Matches(c, c.op->inputs, 1, body.inputs, callee, "inputs"); !s.ok()) {
        return s;
      }
      if (absl::Status s = Matches(c, c.op->outputs, 0, body.outputs, callee, "outputs"); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckWhileLoop(const Ctx& c) const {
    const auto& a = std::get<WhileLoopAttr>(c.op->attribute);
    if (!a.cond_block.has_value() || !a.body_block.has_value()) {
      return Fail(c, "cond_graph / body_graph are not resolved to blocks");
    }
    if (c.op->inputs.size() != c.op->outputs.size()) {
      return Fail(c, absl::StrCat("has ", c.op->inputs.size(), " inputs but ", c.op->outputs.size(),
                                  " outputs; the loop carries them 1:1"));
    }
    if (absl::Status s = Matches(c, c.op->inputs, 0, c.op->outputs, c.block, "outputs"); !s.ok()) {
      return s;
    }
    const Block& cond = g_.blocks[*a.cond_block];
    const Block& body = g_.blocks[*a.body_block];
    if (absl::Status s = Matches(c, c.op->inputs, 0, cond.inputs, *a.cond_block, "inputs");
        !s.ok()) {
      return s;
    }
    if (cond.outputs.size() != 1) {
      return Fail(c, absl::StrCat(BlockLabel(*a.cond_block), " must have exactly one output"));
    }
    if (absl::Status s = BoolScalar(c, cond.outputs[0], "the loop condition"); !s.ok()) return s;
    if (absl::Status s = Matches(c, c.op->inputs, 0, body.inputs, *a.body_block, "inputs");
        !s.ok()) {
      return s;
    }
    return Matches(c, c.op->inputs, 0, body.outputs, *a.body_block, "outputs");
  }

  const Graph& g_;
  const ValidationOptions& options_;
  std::vector<bool> produced_;             // by TensorId: a block input or operator output
  std::vector<const Operator*> producer_;  // by TensorId: the operator producing it, if any
};

}  // namespace

absl::Status ValidateGraph(const Graph& graph, const ValidationOptions& options) {
  return Validator(graph, options).Run();
}

}  // namespace inferd::graph
