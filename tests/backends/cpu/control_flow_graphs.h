// Hand-built graphs with WHILE_LOOP and COND_IF, shared by the CPU executor's control-flow tests
// and the Vulkan backend's, which must agree with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/graph/graph.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu::test_graphs {

using graph::BlockId;
using graph::DType;
using graph::Graph;
using graph::Op;
using graph::TensorId;

// A graph with a main block and `extra` blocks called from it.
inline Graph Blocks(const std::vector<std::string>& extra) {
  Graph g;
  g.blocks.resize(1 + extra.size());
  g.blocks[0].name = "main";
  g.regions.push_back({"main", {0}});
  for (size_t i = 0; i < extra.size(); ++i) {
    g.blocks[i + 1].name = extra[i];
    g.blocks[i + 1].parent = 0;
    g.regions[0].blocks.push_back(static_cast<BlockId>(i + 1));
  }
  return g;
}

inline TensorId Const(Graph& g, BlockId block, std::string name, DType t,
                      std::vector<uint8_t> bytes) {
  const TensorId id = AddTensor(g, block, std::move(name), t);
  g.tensors[id].data = std::move(bytes);
  AddOperator(g, block, Op::kConst, {}, {id});
  return id;
}

// while (i < limit) { i = i + step; swap(a, b); } with limit and step read from the main block.
inline Graph CountingLoop() {
  Graph g = Blocks({"cond", "body"});
  const TensorId i0 = AddTensor(g, 0, "i0", DType::kInt32);
  const TensorId step = AddTensor(g, 0, "step", DType::kInt32);
  const TensorId limit = AddTensor(g, 0, "limit", DType::kInt32);
  const TensorId a0 = AddTensor(g, 0, "a0", DType::kInt32);
  const TensorId b0 = AddTensor(g, 0, "b0", DType::kInt32);
  const TensorId i = AddTensor(g, 0, "i", DType::kInt32);
  const TensorId a = AddTensor(g, 0, "a", DType::kInt32);
  const TensorId b = AddTensor(g, 0, "b", DType::kInt32);
  g.blocks[0].inputs = {i0, step, limit, a0, b0};
  g.blocks[0].outputs = {i, a, b};
  AddOperator(g, 0, Op::kWhileLoop, {i0, a0, b0}, {i, a, b},
              graph::WhileLoopAttr{"cond", "body", 1, 2});

  const TensorId ci = AddTensor(g, 1, "ci", DType::kInt32);
  const TensorId ca = AddTensor(g, 1, "ca", DType::kInt32);
  const TensorId cb = AddTensor(g, 1, "cb", DType::kInt32);
  const TensorId more = AddTensor(g, 1, "more", DType::kBool);
  g.blocks[1].inputs = {ci, ca, cb};
  g.blocks[1].outputs = {more};
  AddOperator(g, 1, Op::kGreater, {limit, ci}, {more});

  const TensorId bi = AddTensor(g, 2, "bi", DType::kInt32);
  const TensorId ba = AddTensor(g, 2, "ba", DType::kInt32);
  const TensorId bb = AddTensor(g, 2, "bb", DType::kInt32);
  const TensorId next = AddTensor(g, 2, "next", DType::kInt32);
  g.blocks[2].inputs = {bi, ba, bb};
  g.blocks[2].outputs = {next, bb, ba};
  AddOperator(g, 2, Op::kAdd, {bi, step}, {next});
  return g;
}

// while (true) { x = x; }: only cancellation or the deadline ends it.
inline Graph EndlessLoop() {
  Graph g = Blocks({"cond", "body"});
  const TensorId x0 = AddTensor(g, 0, "x0", DType::kInt32);
  const TensorId x = AddTensor(g, 0, "x", DType::kInt32);
  g.blocks[0].inputs = {x0};
  g.blocks[0].outputs = {x};
  AddOperator(g, 0, Op::kWhileLoop, {x0}, {x}, graph::WhileLoopAttr{"cond", "body", 1, 2});
  const TensorId cx = AddTensor(g, 1, "cx", DType::kInt32);
  g.blocks[1].inputs = {cx};
  g.blocks[1].outputs = {Const(g, 1, "always", DType::kBool, {1})};
  const TensorId bx = AddTensor(g, 2, "bx", DType::kInt32);
  g.blocks[2].inputs = {bx};
  g.blocks[2].outputs = {bx};
  return g;
}

// cond ? x + x : x.
inline Graph DoubleIf() {
  Graph g = Blocks({"then", "else"});
  const TensorId cond = AddTensor(g, 0, "cond", DType::kBool);
  const TensorId x = AddTensor(g, 0, "x", DType::kInt32);
  const TensorId y = AddTensor(g, 0, "y", DType::kInt32);
  g.blocks[0].inputs = {cond, x};
  g.blocks[0].outputs = {y};
  AddOperator(g, 0, Op::kCondIf, {cond, x}, {y}, graph::CondIfAttr{"then", "else", 1, 2});
  const TensorId tx = AddTensor(g, 1, "tx", DType::kInt32);
  const TensorId doubled = AddTensor(g, 1, "doubled", DType::kInt32);
  g.blocks[1].inputs = {tx};
  g.blocks[1].outputs = {doubled};
  AddOperator(g, 1, Op::kAdd, {tx, tx}, {doubled});
  const TensorId ex = AddTensor(g, 2, "ex", DType::kInt32);
  g.blocks[2].inputs = {ex};
  g.blocks[2].outputs = {ex};
  return g;
}

}  // namespace inferd::cpu::test_graphs
