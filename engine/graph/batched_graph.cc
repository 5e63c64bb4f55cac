#include "engine/graph/batched_graph.h"

#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/graph/graph_validator.h"

namespace inferd::graph {
namespace {

// How an operator reads the batch: how many leading inputs are data (computed from the graph's
// inputs, or broadcast along the batch), the rest being parameters that must be constant.
enum class Kind {
  kElementwise,
  kWeighted,
  kReshape,
  kMatMul,
  kAxis,
  kConcat,
  kTranspose,
  kPad,
  kSlice,
  kTile,
  kOther
};

struct Reading {
  Kind kind = Kind::kOther;
  size_t data_inputs = 0;
};

Reading ReadingOf(Op op) {
  switch (op) {
    case Op::kAdd:
    case Op::kArithmeticRightShift:
    case Op::kBitwiseAnd:
    case Op::kBitwiseOr:
    case Op::kBitwiseXor:
    case Op::kIntDiv:
    case Op::kLogicalAnd:
    case Op::kLogicalLeftShift:
    case Op::kLogicalRightShift:
    case Op::kLogicalOr:
    case Op::kLogicalXor:
    case Op::kMaximum:
    case Op::kMinimum:
    case Op::kMul:
    case Op::kPow:
    case Op::kSub:
    case Op::kEqual:
    case Op::kGreater:
    case Op::kGreaterEqual:
      return {Kind::kElementwise, 2};
    case Op::kSelect:
      return {Kind::kElementwise, 3};
    case Op::kClamp:
    case Op::kErf:
    case Op::kSigmoid:
    case Op::kTanh:
    case Op::kTable:
    case Op::kAbs:
    case Op::kBitwiseNot:
    case Op::kCeil:
    case Op::kClz:
    case Op::kCos:
    case Op::kExp:
    case Op::kFloor:
    case Op::kLog:
    case Op::kLogicalNot:
    case Op::kNegate:
    case Op::kReciprocal:
    case Op::kRsqrt:
    case Op::kSin:
    case Op::kCast:
    case Op::kRescale:
    case Op::kIdentity:
      return {Kind::kElementwise, 1};
    case Op::kConv2d:
    case Op::kConv3d:
    case Op::kDepthwiseConv2d:
    case Op::kTransposeConv2d:
    case Op::kAvgPool2d:
    case Op::kMaxPool2d:
    case Op::kResize:
      return {Kind::kWeighted, 1};
    case Op::kReshape:
      return {Kind::kReshape, 1};
    case Op::kMatMul:
      return {Kind::kMatMul, 2};
    case Op::kArgMax:
    case Op::kReduceAll:
    case Op::kReduceAny:
    case Op::kReduceMax:
    case Op::kReduceMin:
    case Op::kReduceProduct:
    case Op::kReduceSum:
    case Op::kReverse:
      return {Kind::kAxis, 1};
    case Op::kConcat:
      return {Kind::kConcat, 0};  // every input is data
    case Op::kTranspose:
      return {Kind::kTranspose, 1};
    case Op::kPad:
      return {Kind::kPad, 1};
    case Op::kSlice:
      return {Kind::kSlice, 1};
    case Op::kTile:
      return {Kind::kTile, 1};
    default:
      return {Kind::kOther, 0};
  }
}

// The axis of an operator of Kind::kAxis or kConcat.
int32_t AxisOf(const Operator& op) {
  return std::visit(
      [](const auto& attr) -> int32_t {
        if constexpr (requires { attr.axis; }) {
          return attr.axis;
        } else {
          return -1;
        }
      },
      op.attribute);
}

class Batcher {
 public:
  Batcher(const Graph& graph, int64_t items)
      : graph_(graph), items_(items), computed_(graph.tensors.size(), false) {}

  absl::StatusOr<std::shared_ptr<const Graph>> Run() {
    if (graph_.blocks.size() != 1) {
      return absl::UnimplementedError("a graph with control flow is run item by item");
    }
    const Block& main = graph_.main_block();
    for (TensorId id : main.inputs) {
      if (auto status = CheckLeadingOne(id, "graph input"); !status.ok()) return status;
      computed_[id] = true;
    }
    for (size_t i = 0; i < main.operators.size(); ++i) {
      if (auto status = Check(i, main.operators[i]); !status.ok()) return status;
    }
    for (TensorId id : main.outputs) {
      if (!computed_[id]) {
        return absl::UnimplementedError(absl::StrCat("graph output '", graph_.tensor(id).name,
                                                     "' does not depend on the inputs"));
      }
    }
    return Build();
  }

 private:
  absl::Status Refuse(size_t index, const Operator& op, const std::string& why) const {
    return absl::UnimplementedError(
        absl::StrCat("operator #", index, " (", std::string(OpName(op.op)), ") ", why));
  }

  // A SHAPE constant's values (int64 each); empty where the tensor holds none.
  std::vector<int64_t> ShapeValues(TensorId id) const {
    const Tensor& t = graph_.tensor(id);
    std::vector<int64_t> values(t.data.size() / sizeof(int64_t));
    if (!values.empty()) std::memcpy(values.data(), t.data.data(), values.size() * sizeof(int64_t));
    return values;
  }

  // Whether `op` leaves dimension 0 alone: the axis it works along, its permutation, or its SHAPE
  // parameters (constants) say (PAD without padding along it, SLICE of the whole of it, TILE not
  // repeating it). Operators of the other kinds always do.
  bool KeepsBatchAxis(Kind kind, const Operator& op) const {
    switch (kind) {
      case Kind::kAxis:
      case Kind::kConcat:
        return AxisOf(op) != 0;
      case Kind::kTranspose: {
        const std::vector<int32_t>& perms = std::get<TransposeAttr>(op.attribute).perms;
        return !perms.empty() && perms[0] == 0;
      }
      case Kind::kPad: {
        const std::vector<int64_t> padding = ShapeValues(op.inputs[1]);
        return padding.size() >= 2 && padding[0] == 0 && padding[1] == 0;
      }
      case Kind::kSlice: {
        const std::vector<int64_t> start = ShapeValues(op.inputs[1]);
        const std::vector<int64_t> size = ShapeValues(op.inputs[2]);
        return !start.empty() && start[0] == 0 && !size.empty() && size[0] == 1;
      }
      case Kind::kTile: {
        const std::vector<int64_t> multiples = ShapeValues(op.inputs[1]);
        return !multiples.empty() && multiples[0] == 1;
      }
      default:
        return true;
    }
  }

  absl::Status CheckLeadingOne(TensorId id, const std::string& what) const {
    const Tensor& t = graph_.tensor(id);
    if (t.unranked || t.shape.empty() || t.shape[0] != 1) {
      return absl::UnimplementedError(
          absl::StrCat(what, " '", t.name, "' needs a leading dimension of 1 to batch"));
    }
    return absl::OkStatus();
  }

  absl::Status Check(size_t index, const Operator& op) {
    bool any = false;
    for (TensorId id : op.inputs) any = any || computed_[id];
    if (!any) return absl::OkStatus();  // constants, computed once for all items
    if (op.op == Op::kVariable || op.op == Op::kVariableRead || op.op == Op::kVariableWrite) {
      return Refuse(index, op, "keeps state per item");
    }
    const Reading kind = ReadingOf(op.op);
    if (kind.kind == Kind::kOther) return Refuse(index, op, "has no batched form here");
    const size_t data = kind.kind == Kind::kConcat ? op.inputs.size() : kind.data_inputs;
    for (size_t k = 0; k < op.inputs.size(); ++k) {
      const TensorId id = op.inputs[k];
      if (k >= data) {
        if (computed_[id]) return Refuse(index, op, "has a parameter computed from the inputs");
        continue;
      }
      if (computed_[id]) continue;
      // A data operand that is constant: broadcast along the batch (elementwise), or a MATMUL's
      // constant B; anything else would need the constant repeated per item.
      if (kind.kind == Kind::kElementwise) {
        if (auto status = CheckLeadingOne(id, "broadcast operand"); !status.ok()) {
          return Refuse(index, op, std::string(status.message()));
        }
      } else if (!(kind.kind == Kind::kMatMul && k == 1)) {
        return Refuse(index, op, "mixes computed and constant data");
      }
    }
    if (kind.kind == Kind::kMatMul && !computed_[op.inputs[0]]) {
      return Refuse(index, op, "has a constant A and a computed B");
    }
    if (!KeepsBatchAxis(kind.kind, op)) {
      return Refuse(
          index, op,
          kind.kind == Kind::kTranspose ? "moves the batch axis" : "works along the batch axis");
    }
    if (kind.kind == Kind::kSlice) slices_.push_back(index);  // its size widens with the batch
    if (kind.kind == Kind::kReshape) {
      if (auto status = CheckLeadingOne(op.inputs[0], "reshaped tensor"); !status.ok()) {
        return Refuse(index, op, std::string(status.message()));
      }
      reshapes_.push_back(index);
    }
    if (kind.kind == Kind::kMatMul && !computed_[op.inputs[1]]) matmuls_.push_back(index);
    for (TensorId id : op.outputs) {
      if (auto status = CheckLeadingOne(id, "result"); !status.ok()) {
        return Refuse(index, op, std::string(status.message()));
      }
      computed_[id] = true;
    }
    return absl::OkStatus();
  }

  // A new tensor of the main block, named `name` or, where that is taken, `name` and a number.
  TensorId AddTensor(Graph& g, const std::string& name, DType dtype, Shape shape) {
    Tensor t;
    t.name = name;
    for (int n = 2; g.FindTensor(Graph::kMainBlock, t.name).has_value(); ++n) {
      t.name = absl::StrCat(name, "#", n);
    }
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.block = Graph::kMainBlock;
    g.tensors.push_back(std::move(t));
    const auto id = static_cast<TensorId>(g.tensors.size() - 1);
    g.blocks[Graph::kMainBlock].tensors.push_back(id);
    return id;
  }

  // A CONST_SHAPE holding `values`, its operator put first.
  TensorId AddShape(Graph& g, std::vector<Operator>& constants, const std::string& name,
                    const Shape& values) {
    const TensorId id = AddTensor(g, name, DType::kShape, {static_cast<int64_t>(values.size())});
    g.tensors[id].data.resize(values.size() * sizeof(int64_t));
    std::memcpy(g.tensors[id].data.data(), values.data(), g.tensors[id].data.size());
    Operator op;
    op.op = Op::kConstShape;
    op.outputs = {id};
    constants.push_back(std::move(op));
    return id;
  }

  absl::StatusOr<std::shared_ptr<const Graph>> Build() {
    auto g = std::make_shared<Graph>(graph_);
    for (size_t id = 0; id < computed_.size(); ++id) {
      if (computed_[id]) g->tensors[id].shape[0] = items_;
    }
    Block& main = g->blocks[Graph::kMainBlock];
    std::vector<Operator> constants;
    // RESHAPE: the target shape with the batch in front, a shape of its own.
    for (size_t index : reshapes_) {
      const Tensor output = g->tensor(main.operators[index].outputs[0]);  // a copy: AddShape grows
      const TensorId shape = AddShape(*g, constants, output.name + "/shape", output.shape);
      main.operators[index].inputs[1] = shape;
    }
    // SLICE of the whole item: its size widened with the batch, a shape of its own.
    for (size_t index : slices_) {
      const TensorId size = main.operators[index].inputs[2];
      Shape values = ShapeValues(size);
      values[0] = items_;
      const TensorId widened = AddShape(*g, constants, graph_.tensor(size).name + "/batch", values);
      main.operators[index].inputs[2] = widened;
    }
    // MATMUL of a computed A by a constant B: A [N,H,C] as [1,N*H,C], the result back to [N,H,W].
    std::vector<std::pair<size_t, std::vector<Operator>>> around;  // operator index, RESHAPEs
    for (size_t index : matmuls_) {
      Operator& op = main.operators[index];
      const Tensor a = g->tensor(op.inputs[0]);  // copies: AddTensor grows the tensors
      const Tensor y = g->tensor(op.outputs[0]);
      const Shape flat_a = {1, a.shape[0] * a.shape[1], a.shape[2]};
      const Shape flat_y = {1, y.shape[0] * y.shape[1], y.shape[2]};
      const TensorId a_view = AddTensor(*g, a.name + "/rows", a.dtype, flat_a);
      const TensorId y_view = AddTensor(*g, y.name + "/rows", y.dtype, flat_y);
      Operator before;
      before.op = Op::kReshape;
      before.inputs = {op.inputs[0], AddShape(*g, constants, a.name + "/rows_shape", flat_a)};
      before.outputs = {a_view};
      Operator after;
      after.op = Op::kReshape;
      after.inputs = {y_view, AddShape(*g, constants, y.name + "/shape", y.shape)};
      after.outputs = {op.outputs[0]};
      op.inputs[0] = a_view;
      op.outputs[0] = y_view;
      around.push_back({index, {std::move(before), std::move(after)}});
    }
    std::vector<Operator> operators = std::move(constants);
    size_t next = 0;
    for (size_t i = 0; i < main.operators.size(); ++i) {
      const bool wrapped = next < around.size() && around[next].first == i;
      if (wrapped) operators.push_back(std::move(around[next].second[0]));
      operators.push_back(std::move(main.operators[i]));
      if (wrapped) operators.push_back(std::move(around[next++].second[1]));
    }
    main.operators = std::move(operators);
    if (auto status = ValidateGraph(*g); !status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat("the graph widened to ", items_,
                                       " items does not validate: ", status.message()));
    }
    return std::shared_ptr<const Graph>(std::move(g));
  }

  const Graph& graph_;
  const int64_t items_;
  std::vector<bool> computed_;  // per tensor: computed from the graph's inputs
  std::vector<size_t> reshapes_;
  std::vector<size_t> slices_;
  std::vector<size_t> matmuls_;  // computed A, constant B
};

}  // namespace

absl::StatusOr<std::shared_ptr<const Graph>> BatchedGraph(const Graph& graph, int64_t items) {
  if (items < 2) return absl::InvalidArgumentError("a batched graph is for 2 or more items");
  return Batcher(graph, items).Run();
}

}  // namespace inferd::graph
