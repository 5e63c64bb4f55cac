#include "engine/graph/op_support_probe.h"

#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/graph/attributes.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/graph_variables.h"

namespace inferd::graph {
namespace {

// Every element type a tensor can have; the validator decides which combinations are legal.
const std::vector<DType> kAllTypes = {DType::kBool,  DType::kInt4,    DType::kInt8,   DType::kInt16,
                                      DType::kInt32, DType::kInt48,   DType::kFp16,   DType::kBf16,
                                      DType::kFp32,  DType::kFp8E4M3, DType::kFp8E5M2};
const std::vector<DType> kAccTypes = {DType::kInt32, DType::kInt48, DType::kFp16, DType::kFp32};

// One operand of the probe graph: a graph input, a CONST, or a CONST_SHAPE. Its element type is
// a signature slot's or a fixed one.
struct Operand {
  enum Kind { kInput, kConst, kShape } kind = kInput;
  int slot = -1;
  DType fixed = DType::kUnknown;
  Shape shape;
  std::vector<int64_t> values;  // constant contents (zeros when shorter than the tensor)
};

Operand In(int slot, Shape shape) { return {Operand::kInput, slot, DType::kUnknown, shape, {}}; }
Operand InT(DType t, Shape shape) { return {Operand::kInput, -1, t, shape, {}}; }
Operand C(int slot, Shape shape, std::vector<int64_t> v = {}) {
  return {Operand::kConst, slot, DType::kUnknown, shape, std::move(v)};
}
Operand CT(DType t, Shape shape, std::vector<int64_t> v = {}) {
  return {Operand::kConst, -1, t, shape, std::move(v)};
}
Operand S(std::vector<int64_t> v) {
  const auto n = static_cast<int64_t>(v.size());
  return {Operand::kShape, -1, DType::kShape, {n}, std::move(v)};
}
Operand Out(int slot, Shape shape) { return {Operand::kInput, slot, DType::kUnknown, shape, {}}; }

using Types = std::vector<DType>;

// A probe for one operator: the slots of its signature with the types each may take, the operand
// layout of a minimal valid instance, and how the attribute depends on the slots.
struct Probe {
  Op op;
  std::vector<std::vector<DType>> domains;  // one per slot
  int input_slots = 1;                      // slots [0, input_slots) type inputs, the rest outputs
  int acc_slot = -1;                        // a slot that only sets the attribute's acc_type
  std::vector<Operand> inputs;
  std::vector<Operand> outputs;
  std::function<void(Attribute&, const Types&)> attribute;
  // Builds the whole graph instead (control flow, stateful operators).
  std::function<Graph(const Types&)> custom;
};

// Little-endian constant bytes of `t` holding `values` (zero-padded).
std::vector<uint8_t> ConstBytes(DType t, const Shape& shape, const std::vector<int64_t>& values) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  std::vector<uint8_t> bytes(static_cast<size_t>(DTypeDataSize(t, count).value_or(0)), 0);
  if (count == 0 || bytes.empty()) return bytes;
  const size_t width = bytes.size() / static_cast<size_t>(count);
  for (size_t i = 0; i < values.size() && i < static_cast<size_t>(count); ++i) {
    if (t == DType::kFp32) {
      const float f = static_cast<float>(values[i]);
      std::memcpy(&bytes[4 * i], &f, 4);
    } else if (IsIntegerDType(t) || t == DType::kShape || t == DType::kBool) {
      for (size_t b = 0; b < width && b < 8; ++b) {
        bytes[i * width + b] = static_cast<uint8_t>(static_cast<uint64_t>(values[i]) >> (8 * b));
      }
    }
  }
  return bytes;
}

TensorId AddTensor(Graph& g, BlockId block, std::string name, DType t, Shape shape) {
  Tensor tensor;
  tensor.name = std::move(name);
  tensor.dtype = t;
  tensor.shape = std::move(shape);
  tensor.block = block;
  const auto id = static_cast<TensorId>(g.tensors.size());
  g.tensors.push_back(std::move(tensor));
  g.blocks[block].tensors.push_back(id);
  return id;
}

Graph EmptyGraph() {
  Graph g;
  g.blocks.resize(1);
  g.blocks[0].name = "main";
  g.regions.push_back({"main", {0}});
  return g;
}

Graph Build(const Probe& p, const Types& types) {
  if (p.custom) return p.custom(types);
  Graph g = EmptyGraph();
  Block& main = g.blocks[0];
  Operator op;
  op.op = p.op;
  op.attribute = DefaultAttribute(p.op);
  if (p.attribute) p.attribute(op.attribute, types);
  int n = 0;
  auto type_of = [&](const Operand& o) { return o.slot >= 0 ? types[o.slot] : o.fixed; };
  for (const Operand& o : p.inputs) {
    const DType t = type_of(o);
    const TensorId id = AddTensor(g, 0, absl::StrCat("t", n++), t, o.shape);
    if (o.kind == Operand::kInput) {
      g.blocks[0].inputs.push_back(id);
    } else {
      g.tensors[id].data = ConstBytes(t, o.shape, o.values);
      Operator c;
      c.op = o.kind == Operand::kShape ? Op::kConstShape : Op::kConst;
      c.outputs = {id};
      main.operators.push_back(std::move(c));
    }
    op.inputs.push_back(id);
  }
  for (const Operand& o : p.outputs) {
    const TensorId id = AddTensor(g, 0, absl::StrCat("t", n++), type_of(o), o.shape);
    op.outputs.push_back(id);
    g.blocks[0].outputs.push_back(id);
  }
  g.blocks[0].operators.push_back(std::move(op));
  return g;
}

// COND_IF / WHILE_LOOP over one tensor of slot 0's type, with pass-through bodies.
Graph ControlFlow(Op which, const Types& types) {
  Graph g = EmptyGraph();
  const DType t = types[0];
  const Shape shape = {2};
  g.blocks.resize(3);
  g.blocks[1].name = "first";
  g.blocks[2].name = "second";
  g.blocks[1].parent = g.blocks[2].parent = 0;
  g.regions[0].blocks = {0, 1, 2};
  Operator op;
  op.op = which;
  if (which == Op::kCondIf) {
    const TensorId cond = AddTensor(g, 0, "cond", DType::kBool, {1});
    g.blocks[0].inputs.push_back(cond);
    op.inputs.push_back(cond);
    op.attribute = CondIfAttr{"first", "second", 1, 2};
  } else {
    op.attribute = WhileLoopAttr{"first", "second", 1, 2};
  }
  const TensorId x = AddTensor(g, 0, "x", t, shape);
  const TensorId y = AddTensor(g, 0, "y", t, shape);
  g.blocks[0].inputs.push_back(x);
  op.inputs.push_back(x);
  op.outputs.push_back(y);
  g.blocks[0].outputs.push_back(y);
  g.blocks[0].operators.push_back(std::move(op));
  for (BlockId b : {BlockId{1}, BlockId{2}}) {
    const TensorId in = AddTensor(g, b, "in", t, shape);
    g.blocks[b].inputs.push_back(in);
    if (which == Op::kWhileLoop && b == 1) {
      // The loop condition: a constant false, so the probe never spins.
      const TensorId c = AddTensor(g, b, "stop", DType::kBool, {1});
      g.tensors[c].data = {0};
      Operator k;
      k.op = Op::kConst;
      k.outputs = {c};
      g.blocks[b].operators.push_back(std::move(k));
      g.blocks[b].outputs.push_back(c);
    } else {
      g.blocks[b].outputs.push_back(in);
    }
  }
  return g;
}

// CUSTOM, whose operands the validator does not type-check: one INT8 input and output, and a
// domain and name nobody registers, so it shows what the backend runs without registrations.
Graph Untyped(Op which) {
  Graph g = EmptyGraph();
  Operator op;
  op.op = which;
  op.attribute = CustomAttr{"probe", "inferd.op_support", {}};
  const TensorId x = AddTensor(g, 0, "x", DType::kInt8, {1});
  g.blocks[0].inputs.push_back(x);
  op.inputs.push_back(x);
  const TensorId y = AddTensor(g, 0, "y", DType::kInt8, {1});
  g.blocks[0].outputs.push_back(y);
  op.outputs.push_back(y);
  g.blocks[0].operators.push_back(std::move(op));
  return g;
}

// x -> VARIABLE_WRITE -> variable v (declared by VARIABLE) -> VARIABLE_READ -> y.
Graph VariableRoundTrip(DType t) {
  Graph g = EmptyGraph();
  const TensorId x = AddTensor(g, 0, "x", t, {2});
  const TensorId v = AddTensor(g, 0, "v", t, {2});
  const TensorId y = AddTensor(g, 0, "y", t, {2});
  g.tensors[v].variable = true;
  g.blocks[0].inputs.push_back(x);
  g.blocks[0].outputs.push_back(y);
  auto add = [&](Op which, std::vector<TensorId> in, std::vector<TensorId> out) {
    Operator op;
    op.op = which;
    op.inputs = std::move(in);
    op.outputs = std::move(out);
    g.blocks[0].operators.push_back(std::move(op));
  };
  add(Op::kVariable, {}, {v});
  add(Op::kVariableWrite, {x}, {v});
  add(Op::kVariableRead, {v}, {y});
  return g;
}

// Writes the accumulator slot (the last) into an attribute that has acc_type.
void SetAcc(Attribute& a, const Types& t) {
  std::visit(
      [&](auto& attr) {
        if constexpr (requires { attr.acc_type; }) attr.acc_type = t.back();
      },
      a);
}

std::vector<Probe> Probes() {
  const std::vector<std::vector<DType>> one = {kAllTypes, kAllTypes};  // input type, output type
  std::vector<Probe> p;
  auto unary = [&](Op op) {
    p.push_back({op, one, 1, -1, {In(0, {1, 2})}, {Out(1, {1, 2})}, nullptr, nullptr});
  };
  auto binary = [&](Op op) {
    p.push_back(
        {op, one, 1, -1, {In(0, {1, 2}), In(0, {1, 2})}, {Out(1, {1, 2})}, nullptr, nullptr});
  };
  const std::vector<std::vector<DType>> conv_domains = {kAllTypes, kAllTypes, kAllTypes, kAccTypes};
  // Tensor operators.
  p.push_back({Op::kArgMax, one, 1, -1, {In(0, {2, 3})}, {Out(1, {3})}, nullptr, nullptr});
  p.push_back({Op::kAvgPool2d,
               {kAllTypes, kAccTypes},
               1,
               1,
               {In(0, {1, 4, 4, 1}), C(0, {1}), C(0, {1})},
               {Out(0, {1, 2, 2, 1})},
               [](Attribute& a, const Types& t) {
                 auto& x = std::get<AvgPool2dAttr>(a);
                 x.kernel = {2, 2}, x.stride = {2, 2}, x.pad = {0, 0, 0, 0}, x.acc_type = t[1];
               },
               nullptr});
  p.push_back({Op::kConv2d,
               conv_domains,
               2,
               3,
               {In(0, {1, 3, 3, 1}), C(1, {1, 1, 1, 1}), C(2, {1}), C(0, {1}), C(1, {1})},
               {Out(2, {1, 3, 3, 1})},
               [](Attribute& a, const Types& t) {
                 auto& x = std::get<Conv2dAttr>(a);
                 x.pad = {0, 0, 0, 0}, x.stride = {1, 1}, x.dilation = {1, 1};
                 SetAcc(a, t);
               },
               nullptr});
  p.push_back({Op::kConv3d,
               conv_domains,
               2,
               3,
               {In(0, {1, 2, 2, 2, 1}), C(1, {1, 1, 1, 1, 1}), C(2, {1}), C(0, {1}), C(1, {1})},
               {Out(2, {1, 2, 2, 2, 1})},
               [](Attribute& a, const Types& t) {
                 auto& x = std::get<Conv3dAttr>(a);
                 x.pad = {0, 0, 0, 0, 0, 0}, x.stride = {1, 1, 1}, x.dilation = {1, 1, 1};
                 SetAcc(a, t);
               },
               nullptr});
  p.push_back({Op::kDepthwiseConv2d,
               conv_domains,
               2,
               3,
               {In(0, {1, 3, 3, 1}), C(1, {1, 1, 1, 1}), C(2, {1}), C(0, {1}), C(1, {1})},
               {Out(2, {1, 3, 3, 1})},
               [](Attribute& a, const Types& t) {
                 auto& x = std::get<DepthwiseConv2dAttr>(a);
                 x.pad = {0, 0, 0, 0}, x.stride = {1, 1}, x.dilation = {1, 1};
                 SetAcc(a, t);
               },
               nullptr});
  p.push_back({Op::kTransposeConv2d,
               conv_domains,
               2,
               3,
               {In(0, {1, 2, 2, 1}), C(1, {1, 1, 1, 1}), C(2, {1}), C(0, {1}), C(1, {1})},
               {Out(2, {1, 2, 2, 1})},
               [](Attribute& a, const Types& t) {
                 auto& x = std::get<TransposeConv2dAttr>(a);
                 x.out_pad = {0, 0, 0, 0}, x.stride = {1, 1};
                 SetAcc(a, t);
               },
               nullptr});
  p.push_back({Op::kFft2d,
               one,
               1,
               -1,
               {In(0, {1, 2, 2}), In(0, {1, 2, 2})},
               {Out(1, {1, 2, 2}), Out(1, {1, 2, 2})},
               nullptr,
               nullptr});
  p.push_back({Op::kMatMul,
               one,
               1,
               -1,
               {In(0, {1, 2, 3}), In(0, {1, 3, 2}), C(0, {1}), C(0, {1})},
               {Out(1, {1, 2, 2})},
               nullptr,
               nullptr});
  p.push_back({Op::kMaxPool2d,
               one,
               1,
               -1,
               {In(0, {1, 4, 4, 1})},
               {Out(1, {1, 2, 2, 1})},
               [](Attribute& a, const Types&) {
                 auto& x = std::get<MaxPool2dAttr>(a);
                 x.kernel = {2, 2}, x.stride = {2, 2}, x.pad = {0, 0, 0, 0};
               },
               nullptr});
  p.push_back({Op::kRfft2d,
               one,
               1,
               -1,
               {In(0, {1, 2, 2})},
               {Out(1, {1, 2, 2}), Out(1, {1, 2, 2})},
               nullptr,
               nullptr});
  // Activation functions.
  p.push_back({Op::kClamp,
               one,
               1,
               -1,
               {In(0, {1, 2})},
               {Out(1, {1, 2})},
               [](Attribute& a, const Types&) {
                 auto& x = std::get<ClampAttr>(a);
                 x.min_val.assign(8, 0), x.max_val.assign(8, 0);
               },
               nullptr});
  for (Op op : {Op::kErf, Op::kSigmoid, Op::kTanh}) unary(op);
  // Elementwise binary.
  for (Op op :
       {Op::kAdd, Op::kArithmeticRightShift, Op::kBitwiseAnd, Op::kBitwiseOr, Op::kBitwiseXor,
        Op::kIntDiv, Op::kLogicalAnd, Op::kLogicalLeftShift, Op::kLogicalRightShift, Op::kLogicalOr,
        Op::kLogicalXor, Op::kMaximum, Op::kMinimum}) {
    binary(op);
  }
  p.push_back({Op::kMul,
               one,
               1,
               -1,
               {In(0, {1, 2}), In(0, {1, 2}), CT(DType::kInt8, {1})},
               {Out(1, {1, 2})},
               nullptr,
               nullptr});
  binary(Op::kPow);
  binary(Op::kSub);
  p.push_back(
      {Op::kTable, one, 1, -1, {In(0, {1, 2}), C(0, {256})}, {Out(1, {1, 2})}, nullptr, nullptr});
  p.push_back(
      {Op::kTable, one, 1, -1, {In(0, {1, 2}), C(0, {513})}, {Out(1, {1, 2})}, nullptr, nullptr});
  // Elementwise unary.
  for (Op op : {Op::kAbs, Op::kBitwiseNot, Op::kCeil, Op::kClz, Op::kCos, Op::kExp, Op::kFloor,
                Op::kLog, Op::kLogicalNot}) {
    unary(op);
  }
  p.push_back({Op::kNegate,
               one,
               1,
               -1,
               {In(0, {1, 2}), C(0, {1}), C(0, {1})},
               {Out(1, {1, 2})},
               nullptr,
               nullptr});
  for (Op op : {Op::kReciprocal, Op::kRsqrt, Op::kSin}) unary(op);
  // Ternary and comparison.
  p.push_back({Op::kSelect,
               one,
               1,
               -1,
               {InT(DType::kBool, {1, 2}), In(0, {1, 2}), In(0, {1, 2})},
               {Out(1, {1, 2})},
               nullptr,
               nullptr});
  for (Op op : {Op::kEqual, Op::kGreater, Op::kGreaterEqual}) binary(op);
  // Reductions (axis 0 of a [2,3] input).
  for (Op op : {Op::kReduceAll, Op::kReduceAny, Op::kReduceMax, Op::kReduceMin, Op::kReduceProduct,
                Op::kReduceSum}) {
    p.push_back({op, one, 1, -1, {In(0, {2, 3})}, {Out(1, {1, 3})}, nullptr, nullptr});
  }
  // Data layout.
  p.push_back({Op::kConcat,
               one,
               1,
               -1,
               {In(0, {1, 2}), In(0, {1, 2})},
               {Out(1, {2, 2})},
               nullptr,
               nullptr});
  p.push_back({Op::kPad,
               one,
               1,
               -1,
               {In(0, {1, 2}), S({0, 0, 0, 1}), C(0, {1})},
               {Out(1, {1, 3})},
               nullptr,
               nullptr});
  p.push_back({Op::kReshape, one, 1, -1, {In(0, {1, 2}), S({2})}, {Out(1, {2})}, nullptr, nullptr});
  p.push_back({Op::kReverse,
               one,
               1,
               -1,
               {In(0, {1, 2})},
               {Out(1, {1, 2})},
               [](Attribute& a, const Types&) { std::get<ReverseAttr>(a).axis = 1; },
               nullptr});
  p.push_back({Op::kSlice,
               one,
               1,
               -1,
               {In(0, {1, 2}), S({0, 0}), S({1, 1})},
               {Out(1, {1, 1})},
               nullptr,
               nullptr});
  p.push_back(
      {Op::kTile, one, 1, -1, {In(0, {1, 2}), S({2, 1})}, {Out(1, {2, 2})}, nullptr, nullptr});
  p.push_back({Op::kTranspose,
               one,
               1,
               -1,
               {In(0, {1, 2})},
               {Out(1, {2, 1})},
               [](Attribute& a, const Types&) {
                 std::get<TransposeAttr>(a).perms = {1, 0};
               },
               nullptr});
  // Scatter / gather.
  p.push_back({Op::kGather,
               one,
               1,
               -1,
               {In(0, {1, 3, 2}), InT(DType::kInt32, {1, 2})},
               {Out(1, {1, 2, 2})},
               nullptr,
               nullptr});
  p.push_back({Op::kScatter,
               one,
               1,
               -1,
               {In(0, {1, 3, 2}), InT(DType::kInt32, {1, 2}), In(0, {1, 2, 2})},
               {Out(1, {1, 3, 2})},
               nullptr,
               nullptr});
  // Image: nearest and bilinear, scale 2/1.
  for (ResizeMode mode : {ResizeMode::kNearest, ResizeMode::kBilinear}) {
    p.push_back({Op::kResize,
                 one,
                 1,
                 -1,
                 {In(0, {1, 2, 2, 1}), S({2, 1, 2, 1}), S({0, 0}), S({0, 0})},
                 {Out(1, {1, 3, 3, 1})},
                 [mode](Attribute& a, const Types&) { std::get<ResizeAttr>(a).mode = mode; },
                 nullptr});
  }
  // Type conversion.
  unary(Op::kCast);
  for (bool scale32 : {true, false}) {
    p.push_back({Op::kRescale,
                 one,
                 1,
                 -1,
                 {In(0, {1, 2}),
                  CT(scale32 ? DType::kInt32 : DType::kInt16, {1},
                     {scale32 ? int64_t{1} << 30 : int64_t{1} << 14}),
                  CT(DType::kInt8, {1}, {scale32 ? 30 : 14}), C(0, {1}), C(1, {1})},
                 {Out(1, {1, 2})},
                 [scale32](Attribute& a, const Types&) {
                   auto& x = std::get<RescaleAttr>(a);
                   x.scale32 = scale32;
                   x.rounding_mode = RoundingMode::kSingleRound;
                 },
                 nullptr});
  }
  // Data nodes.
  p.push_back({Op::kConst, {kAllTypes}, 0, -1, {}, {}, nullptr, [](const Types& t) {
                 Graph g = EmptyGraph();
                 const TensorId id = AddTensor(g, 0, "c", t[0], {2});
                 g.tensors[id].data = ConstBytes(t[0], {2}, {});
                 Operator op;
                 op.op = Op::kConst;
                 op.outputs = {id};
                 g.blocks[0].operators.push_back(std::move(op));
                 g.blocks[0].outputs.push_back(id);
                 return g;
               }});
  unary(Op::kIdentity);
  // Control flow.
  for (Op op : {Op::kCondIf, Op::kWhileLoop}) {
    p.push_back({op, {kAllTypes}, 1, -1, {}, {}, nullptr, [op](const Types& t) {
                   return ControlFlow(op, t);
                 }});
  }
  // Variables: each probe declares, writes and reads one variable of slot 0's type.
  for (Op op : {Op::kVariable, Op::kVariableWrite, Op::kVariableRead}) {
    p.push_back({op, {kAllTypes}, 1, -1, {}, {}, nullptr, [](const Types& t) {
                   return VariableRoundTrip(t[0]);
                 }});
  }
  // Shape constants.
  p.push_back({Op::kConstShape, {{DType::kShape}}, 0, -1, {}, {}, nullptr, [](const Types&) {
                 Graph g = EmptyGraph();
                 const TensorId id = AddTensor(g, 0, "s", DType::kShape, {2});
                 g.tensors[id].data = ConstBytes(DType::kShape, {2}, {1, 2});
                 Operator op;
                 op.op = Op::kConstShape;
                 op.outputs = {id};
                 g.blocks[0].operators.push_back(std::move(op));
                 return g;
               }});
  return p;
}

std::string Label(const Probe& p, const Types& t) {
  std::vector<std::string> ins, outs;
  for (size_t s = 0; s < t.size(); ++s) {
    if (static_cast<int>(s) == p.acc_slot) continue;
    const std::string name(DTypeName(t[s]));
    (static_cast<int>(s) < p.input_slots ? ins : outs).push_back(name);
  }
  std::string label;
  bool uniform = true;
  for (size_t s = 0; s < t.size(); ++s) {
    if (static_cast<int>(s) != p.acc_slot && t[s] != t[0]) uniform = false;
  }
  if (uniform) {
    label = std::string(DTypeName(t[0]));
  } else {
    label = absl::StrCat(absl::StrJoin(ins, "×"), ins.empty() ? "" : "→", absl::StrJoin(outs, ","));
  }
  if (p.acc_slot >= 0) {
    absl::StrAppend(&label, " acc ", std::string(DTypeName(t[p.acc_slot])));
  }
  return label;
}

}  // namespace

std::vector<OpSupport> ProbeOpSupport(const std::function<bool(const Graph&)>& runs) {
  std::vector<OpSupport> table(kMaxOpValue);
  std::vector<std::map<Types, size_t>> seen_by_op(kMaxOpValue);
  for (uint32_t v = 1; v <= kMaxOpValue; ++v) table[v - 1].op = static_cast<Op>(v);
  for (const Probe& probe : Probes()) {
    OpSupport& entry = table[static_cast<uint32_t>(probe.op) - 1];
    Types types(probe.domains.size());
    size_t combinations = 1;
    for (const auto& d : probe.domains) combinations *= d.size();
    std::map<Types, size_t>& seen = seen_by_op[static_cast<uint32_t>(probe.op) - 1];
    for (size_t n = 0; n < combinations; ++n) {
      // Slot 0 varies slowest, so signatures come out grouped by their first type.
      size_t rest = n;
      for (size_t s = probe.domains.size(); s-- > 0;) {
        types[s] = probe.domains[s][rest % probe.domains[s].size()];
        rest /= probe.domains[s].size();
      }
      const Graph g = Build(probe, types);
      if (!ValidateGraph(g).ok()) continue;
      const bool binds = runs(g);
      auto [it, fresh] = seen.emplace(types, entry.signatures.size());
      if (fresh) {
        entry.signatures.push_back({types, binds, Label(probe, types)});
      } else {
        entry.signatures[it->second].supported |= binds;
      }
      entry.supported |= binds;
    }
  }
  for (Op op : {Op::kCustom}) {
    const Graph g = Untyped(op);
    OpSupport& entry = table[static_cast<uint32_t>(op) - 1];
    entry.supported = ValidateGraph(g).ok() && runs(g);
  }
  return table;
}

}  // namespace inferd::graph
