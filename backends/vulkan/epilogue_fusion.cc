#include "backends/vulkan/epilogue_fusion.h"

namespace inferd::vulkan {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;

// Readers of each tensor over every block (a nested block may read its callers' tensors), a block
// output counting as two so that it is never fused away.
std::vector<int> CountReaders(const graph::Graph& g) {
  std::vector<int> readers(g.tensors.size(), 0);
  for (const graph::Block& block : g.blocks) {
    for (const graph::Operator& op : block.operators) {
      for (TensorId id : op.inputs) ++readers[id];
    }
    for (TensorId id : block.outputs) readers[id] += 2;
  }
  return readers;
}

// The index of the operator of `block` after `after` that is the only reader of `id`, when it
// reads nothing else of the chain and `want` is its operator and `dtype` its output's type.
std::optional<size_t> SoleReader(const graph::Graph& g, const graph::Block& block,
                                 const std::vector<int>& readers, size_t after, TensorId id,
                                 Op want, DType dtype) {
  if (readers[id] != 1) return std::nullopt;
  for (size_t i = after + 1; i < block.operators.size(); ++i) {
    const graph::Operator& op = block.operators[i];
    if (op.inputs.empty() || op.inputs[0] != id) continue;
    if (op.op != want || op.outputs.size() != 1 || g.tensor(op.outputs[0]).dtype != dtype ||
        g.tensor(op.outputs[0]).variable) {
      return std::nullopt;
    }
    return i;
  }
  return std::nullopt;  // read from another block, or as another operand
}

// The index of the operator of `block` before `before` that writes `id`: a RESCALE from INT8 to
// INT32 whose output is read once in the whole graph.
std::optional<size_t> WidenedBy(const graph::Graph& g, const graph::Block& block,
                                const std::vector<int>& readers, size_t before, TensorId id) {
  if (readers[id] != 1) return std::nullopt;
  for (size_t i = 0; i < before; ++i) {
    const graph::Operator& op = block.operators[i];
    if (op.outputs.size() != 1 || op.outputs[0] != id) continue;
    // Its input must not be a variable's state: the RESCALE runs later, at the ADD, after any
    // VARIABLE_WRITE between them.
    if (op.op != Op::kRescale || op.inputs.empty() ||
        g.tensor(op.inputs[0]).dtype != DType::kInt8 || g.tensor(op.inputs[0]).variable ||
        g.tensor(id).dtype != DType::kInt32 || g.tensor(id).variable) {
      return std::nullopt;
    }
    return i;
  }
  return std::nullopt;  // a block input, or written elsewhere
}

}  // namespace

std::vector<RescaledAddFusion> FindRescaledAdds(const graph::Graph& g, graph::BlockId block_id) {
  std::vector<RescaledAddFusion> fusions;
  const graph::Block& block = g.blocks[block_id];
  std::vector<int> readers;
  for (size_t i = 0; i < block.operators.size(); ++i) {
    const graph::Operator& op = block.operators[i];
    if (op.op != Op::kAdd || op.inputs.size() != 2 || op.outputs.size() != 1 ||
        op.inputs[0] == op.inputs[1] || g.tensor(op.outputs[0]).dtype != DType::kInt32 ||
        g.tensor(op.outputs[0]).variable) {
      continue;
    }
    if (readers.empty()) readers = CountReaders(g);
    const std::optional<size_t> a = WidenedBy(g, block, readers, i, op.inputs[0]);
    const std::optional<size_t> b = WidenedBy(g, block, readers, i, op.inputs[1]);
    if (!a || !b) continue;
    const std::optional<size_t> out =
        SoleReader(g, block, readers, i, op.outputs[0], Op::kRescale, DType::kInt8);
    if (!out) continue;
    const TensorId narrowed = block.operators[*out].outputs[0];
    fusions.push_back(
        {i, *a, *b, *out, SoleReader(g, block, readers, *out, narrowed, Op::kClamp, DType::kInt8)});
  }
  return fusions;
}

std::vector<EpilogueFusion> FindEpilogueFusions(const graph::Graph& g, graph::BlockId block_id) {
  std::vector<EpilogueFusion> fusions;
  const graph::Block& block = g.blocks[block_id];
  std::vector<int> readers;
  for (size_t i = 0; i < block.operators.size(); ++i) {
    const graph::Operator& op = block.operators[i];
    if ((op.op != Op::kConv2d && op.op != Op::kDepthwiseConv2d) || op.outputs.size() != 1 ||
        op.inputs.empty()) {
      continue;
    }
    if (readers.empty()) readers = CountReaders(g);
    const DType in = g.tensor(op.inputs[0]).dtype;
    const DType out = g.tensor(op.outputs[0]).dtype;
    if (in == DType::kFp32 && out == DType::kFp32) {
      if (auto clamp = SoleReader(g, block, readers, i, op.outputs[0], Op::kClamp, DType::kFp32)) {
        fusions.push_back({i, std::nullopt, clamp});
      }
      continue;
    }
    if (in != DType::kInt8 || out != DType::kInt32) continue;
    const std::optional<size_t> rescale =
        SoleReader(g, block, readers, i, op.outputs[0], Op::kRescale, DType::kInt8);
    if (!rescale) continue;
    const TensorId rescaled = block.operators[*rescale].outputs[0];
    fusions.push_back(
        {i, rescale, SoleReader(g, block, readers, *rescale, rescaled, Op::kClamp, DType::kInt8)});
  }
  return fusions;
}

}  // namespace inferd::vulkan
