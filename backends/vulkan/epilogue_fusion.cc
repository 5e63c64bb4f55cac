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

}  // namespace

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
