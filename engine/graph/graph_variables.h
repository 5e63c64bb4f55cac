// TOSA variables (EXT-VARIABLE): how a graph encodes them and the rules a graph that uses them must
// follow. The 1.0 serialization gives VARIABLE, VARIABLE_WRITE and VARIABLE_READ empty attribute
// tables, so a variable travels as a tensor: TosaTensor.variable marks it, its uid is
// TosaTensor.variable_name (the tensor's name when that is empty), its shape and type are the
// variable's, and its data, when present, is the initial value. Tensors of the same uid in
// different blocks name the same variable (a COND_IF / WHILE_LOOP body declares its own tensor to
// reach it), as in the reference model.
//
// Operators (docs/tosa-format.md):
//   VARIABLE:        no inputs; output = the variable tensor (declares it; at most once per uid)
//   VARIABLE_WRITE:  input = the value; output = the variable tensor
//   VARIABLE_READ:   input = the variable tensor; output = the value
//   IDENTITY into a variable tensor is a write, IDENTITY from one a read: the form the reference
//   serializer writes.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "engine/graph/graph.h"

namespace inferd::graph {

// The variable a variable tensor stands for: its variable_name, or its name when that is empty.
std::string_view VariableUid(const Tensor& tensor);

enum class VariableAccess { kNone, kDeclare, kWrite, kRead };

// What `op` does to a variable; kNone for operators that touch no variable tensor. Meaningful for
// graphs ValidateVariables accepted.
VariableAccess VariableAccessOf(const Graph& graph, const Operator& op);

// The variable rules, part of ValidateGraph: variable tensors are ranked, of a storable type, never
// block inputs or outputs, agree in type, shape and initial value per uid; a uid is declared by at
// most one VARIABLE; only VARIABLE, VARIABLE_WRITE, VARIABLE_READ and IDENTITY touch variable
// tensors, and the value written or read has the variable's type and shape.
absl::Status ValidateVariables(const Graph& graph);

}  // namespace inferd::graph
