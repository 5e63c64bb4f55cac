// Hand-built graphs with TOSA variables, shared by the CPU executor's variable tests and the Vulkan
// backend's, which must agree with it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/graph/graph.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu::test_graphs {

using graph::DType;
using graph::Graph;
using graph::Op;
using graph::TensorId;

// out = acc + x; acc = out. With `reference_form` the read and write are IDENTITY operators on
// the variable tensor, as the reference serializer writes them; else VARIABLE / VARIABLE_READ /
// VARIABLE_WRITE.
inline Graph Accumulator(std::optional<std::vector<int32_t>> initial, bool reference_form = false) {
  Graph g;
  g.blocks.resize(1);
  g.blocks[0].name = "main";
  g.regions.push_back({"main", {0}});
  const TensorId x = AddTensor(g, 0, "x", DType::kInt32, {2});
  const TensorId acc = AddTensor(g, 0, "acc_state", DType::kInt32, {2});
  g.tensors[acc].variable = true;
  g.tensors[acc].variable_name = "acc";
  if (initial.has_value()) g.tensors[acc].data = BytesOf<int32_t>(*initial);
  const TensorId old = AddTensor(g, 0, "old", DType::kInt32, {2});
  const TensorId out = AddTensor(g, 0, "out", DType::kInt32, {2});
  g.blocks[0].inputs = {x};
  g.blocks[0].outputs = {out};
  if (!reference_form) AddOperator(g, 0, Op::kVariable, {}, {acc});
  AddOperator(g, 0, reference_form ? Op::kIdentity : Op::kVariableRead, {acc}, {old});
  AddOperator(g, 0, Op::kAdd, {old, x}, {out});
  AddOperator(g, 0, reference_form ? Op::kIdentity : Op::kVariableWrite, {out}, {acc});
  return g;
}

// main writes x into the variable "state", then COND_IF: the then-branch declares its own tensor of
// the same uid and reads it (tensors of one uid in different blocks are one variable); the
// else-branch returns its input.
inline Graph BranchReadsTheVariable() {
  Graph g;
  g.blocks.resize(3);
  g.blocks[0].name = "main";
  g.blocks[1].name = "then";
  g.blocks[2].name = "else";
  g.blocks[1].parent = 0;
  g.blocks[2].parent = 0;
  g.regions.push_back({"main", {0, 1, 2}});
  const TensorId cond = AddTensor(g, 0, "cond", DType::kBool, {1});
  const TensorId x = AddTensor(g, 0, "x", DType::kInt32, {2});
  const TensorId state = AddTensor(g, 0, "state", DType::kInt32, {2});
  g.tensors[state].variable = true;
  const TensorId out = AddTensor(g, 0, "out", DType::kInt32, {2});
  g.blocks[0].inputs = {cond, x};
  g.blocks[0].outputs = {out};
  AddOperator(g, 0, Op::kVariableWrite, {x}, {state});
  AddOperator(g, 0, Op::kCondIf, {cond, x}, {out}, graph::CondIfAttr{"then", "else", 1, 2});
  for (graph::BlockId b : {1u, 2u}) {
    const TensorId in = AddTensor(g, b, "in", DType::kInt32, {2});
    const TensorId result = AddTensor(g, b, "result", DType::kInt32, {2});
    g.blocks[b].inputs = {in};
    g.blocks[b].outputs = {result};
    if (b == 1) {
      const TensorId mine = AddTensor(g, b, "state", DType::kInt32, {2});
      g.tensors[mine].variable = true;
      AddOperator(g, b, Op::kVariableRead, {mine}, {result});
    } else {
      AddOperator(g, b, Op::kIdentity, {in}, {result});
    }
  }
  return g;
}

}  // namespace inferd::cpu::test_graphs
