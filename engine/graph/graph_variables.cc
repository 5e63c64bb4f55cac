#include "engine/graph/graph_variables.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"

namespace inferd::graph {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Error(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

std::string OpLabel(const Graph& g, BlockId b, size_t i) {
  return absl::StrCat("block '", g.blocks[b].name, "', operator #", i, " (",
                      AV(OpName(g.blocks[b].operators[i].op)), ")");
}

std::string Describe(const Tensor& t) {
  return absl::StrCat("'", t.name, "' ", AV(DTypeName(t.dtype)), ShapeToString(t.shape));
}

bool IsVariable(const Graph& g, TensorId id) { return g.tensor(id).variable; }

// The value side of a write or read has the variable's type and shape.
absl::Status SameAsVariable(const Graph& g, const std::string& label, const Tensor& variable,
                            const Tensor& value, absl::string_view verb) {
  if (value.dtype != variable.dtype || value.shape != variable.shape) {
    return Error(absl::StrCat(label, ": ", verb, " ", Describe(value), " but variable '",
                              AV(VariableUid(variable)), "' is ", AV(DTypeName(variable.dtype)),
                              ShapeToString(variable.shape)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view VariableUid(const Tensor& tensor) {
  return tensor.variable_name.empty() ? std::string_view(tensor.name)
                                      : std::string_view(tensor.variable_name);
}

VariableAccess VariableAccessOf(const Graph& graph, const Operator& op) {
  switch (op.op) {
    case Op::kVariable:
      return VariableAccess::kDeclare;
    case Op::kVariableWrite:
      return VariableAccess::kWrite;
    case Op::kVariableRead:
      return VariableAccess::kRead;
    case Op::kIdentity:
      if (op.outputs.size() == 1 && IsVariable(graph, op.outputs[0])) return VariableAccess::kWrite;
      if (op.inputs.size() == 1 && IsVariable(graph, op.inputs[0])) return VariableAccess::kRead;
      return VariableAccess::kNone;
    default:
      return VariableAccess::kNone;
  }
}

absl::Status ValidateVariables(const Graph& g) {
  // One entry per uid: the first tensor seen, and the tensor holding its initial value if any.
  struct Declared {
    TensorId first;
    const Tensor* initial = nullptr;
    int declarations = 0;
  };
  std::map<std::string, Declared> variables;
  for (TensorId id = 0; id < g.tensors.size(); ++id) {
    const Tensor& t = g.tensors[id];
    if (!t.variable) continue;
    const std::string label =
        absl::StrCat("block '", g.blocks[t.block].name, "', variable tensor ", Describe(t));
    if (t.dtype == DType::kShape) return Error(absl::StrCat(label, ": a variable cannot be SHAPE"));
    auto [it, fresh] = variables.emplace(std::string(VariableUid(t)), Declared{id});
    const Tensor& first = g.tensor(it->second.first);
    if (!fresh && (first.dtype != t.dtype || first.shape != t.shape)) {
      return Error(absl::StrCat(label, ": variable '", AV(VariableUid(t)),
                                "' is declared elsewhere as ", Describe(first)));
    }
    if (!t.data.empty()) {
      if (it->second.initial != nullptr && it->second.initial->data != t.data) {
        return Error(absl::StrCat(label, ": variable '", AV(VariableUid(t)),
                                  "' has two different initial values"));
      }
      it->second.initial = &t;
    }
  }
  for (BlockId b = 0; b < g.blocks.size(); ++b) {
    const Block& block = g.blocks[b];
    for (const auto* list : {&block.inputs, &block.outputs}) {
      for (TensorId id : *list) {
        if (IsVariable(g, id)) {
          return Error(absl::StrCat("block '", block.name, "': variable tensor '",
                                    g.tensor(id).name,
                                    "' cannot be a block input or output; read it with "
                                    "VARIABLE_READ"));
        }
      }
    }
    for (size_t i = 0; i < block.operators.size(); ++i) {
      const Operator& op = block.operators[i];
      const std::string label = OpLabel(g, b, i);
      auto arity = [&](size_t inputs, size_t outputs) -> absl::Status {
        if (op.inputs.size() != inputs || op.outputs.size() != outputs) {
          return Error(absl::StrCat(label, ": takes ", inputs, " inputs and ", outputs,
                                    " outputs; got ", op.inputs.size(), " and ",
                                    op.outputs.size()));
        }
        return absl::OkStatus();
      };
      switch (op.op) {
        case Op::kVariable: {
          if (absl::Status s = arity(0, 1); !s.ok()) return s;
          const Tensor& t = g.tensor(op.outputs[0]);
          if (!t.variable) {
            return Error(absl::StrCat(label, ": output '", t.name, "' is not a variable tensor"));
          }
          if (++variables[std::string(VariableUid(t))].declarations > 1) {
            return Error(absl::StrCat(label, ": variable '", AV(VariableUid(t)),
                                      "' is declared a second time"));
          }
          continue;
        }
        case Op::kVariableWrite:
        case Op::kVariableRead: {
          if (absl::Status s = arity(1, 1); !s.ok()) return s;
          const bool write = op.op == Op::kVariableWrite;
          const Tensor& variable = g.tensor(write ? op.outputs[0] : op.inputs[0]);
          const Tensor& value = g.tensor(write ? op.inputs[0] : op.outputs[0]);
          if (!variable.variable) {
            return Error(absl::StrCat(label, ": ", write ? "output '" : "input '", variable.name,
                                      "' is not a variable tensor"));
          }
          if (value.variable) {
            return Error(absl::StrCat(label, ": ", write ? "input '" : "output '", value.name,
                                      "' must be an ordinary tensor, not a variable"));
          }
          if (absl::Status s =
                  SameAsVariable(g, label, variable, value, write ? "writes" : "reads into");
              !s.ok()) {
            return s;
          }
          continue;
        }
        case Op::kIdentity:
          if (op.inputs.size() == 1 && op.outputs.size() == 1 && IsVariable(g, op.inputs[0]) &&
              IsVariable(g, op.outputs[0])) {
            return Error(absl::StrCat(label, ": copies one variable into another; read it first"));
          }
          if (op.outputs.size() == 1 && IsVariable(g, op.outputs[0]) && op.inputs.size() == 1) {
            if (absl::Status s = SameAsVariable(g, label, g.tensor(op.outputs[0]),
                                                g.tensor(op.inputs[0]), "writes");
                !s.ok()) {
              return s;
            }
          }
          continue;
        default:
          break;
      }
      for (const auto* list : {&op.inputs, &op.outputs}) {
        for (TensorId id : *list) {
          if (IsVariable(g, id)) {
            return Error(absl::StrCat(label, ": uses variable tensor '", g.tensor(id).name,
                                      "' directly; only VARIABLE, VARIABLE_WRITE, VARIABLE_READ "
                                      "and IDENTITY may"));
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace inferd::graph
