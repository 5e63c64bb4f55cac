#include "backends/cpu/constant_folding.h"

#include <cstdlib>

#include "backends/cpu/kernel_binding.h"
#include "engine/graph/graph_variables.h"

namespace inferd::cpu {

void FoldedConstants::FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

bool IsFoldable(const graph::Graph& graph, const graph::Operator& op) {
  switch (op.op) {
    case graph::Op::kConst:
    case graph::Op::kConstShape:
    case graph::Op::kCustom:
    case graph::Op::kCondIf:
    case graph::Op::kWhileLoop:
    case graph::Op::kVariable:
    case graph::Op::kVariableWrite:
    case graph::Op::kVariableRead:
    case graph::Op::kUnknown:
      return false;
    default:
      return graph::VariableAccessOf(graph, op) == graph::VariableAccess::kNone;
  }
}

absl::StatusOr<FoldedConstants> FoldConstants(const graph::Graph& g, std::vector<uint8_t*>& data) {
  FoldedConstants result;
  result.folded.resize(g.blocks.size());
  result.tensors.assign(g.tensors.size(), false);
  std::vector<bool> constant(g.tensors.size(), false);
  for (const graph::Block& block : g.blocks) {
    for (const graph::Operator& op : block.operators) {
      if (op.op != graph::Op::kConst && op.op != graph::Op::kConstShape) continue;
      for (graph::TensorId id : op.outputs) constant[id] = true;
    }
  }
  constexpr size_t kAlignment = 64;
  for (graph::BlockId b = 0; b < g.blocks.size(); ++b) {
    const graph::Block& block = g.blocks[b];
    result.folded[b].assign(block.operators.size(), false);
    for (size_t i = 0; i < block.operators.size(); ++i) {
      const graph::Operator& op = block.operators[i];
      if (!IsFoldable(g, op) || op.inputs.empty() || op.outputs.empty()) continue;
      bool inputs_constant = true;
      for (graph::TensorId id : op.inputs) inputs_constant = inputs_constant && constant[id];
      if (!inputs_constant) continue;
      size_t bytes = 0;
      bool holdable = true;
      for (graph::TensorId id : op.outputs) {
        const size_t element_bytes = StorageElementBytes(g.tensor(id).dtype);
        holdable = holdable && element_bytes != 0;
        bytes += static_cast<size_t>(graph::ElementCount(g.tensor(id)).value_or(0)) * element_bytes;
      }
      if (!holdable || bytes > kMaxFoldedBytes) continue;
      absl::StatusOr<BoundStep> step = BindOperator(g, op);
      if (!step.ok() || !*step) continue;  // a missing kernel is reported when the block is bound
      std::vector<std::unique_ptr<uint8_t[], FoldedConstants::FreeDeleter>> outputs;
      for (graph::TensorId id : op.outputs) {
        const size_t size = static_cast<size_t>(graph::ElementCount(g.tensor(id)).value_or(0)) *
                            StorageElementBytes(g.tensor(id).dtype);
        outputs.emplace_back(static_cast<uint8_t*>(std::aligned_alloc(
            kAlignment, (size + kAlignment - 1) / kAlignment * kAlignment + kAlignment)));
        if (outputs.back() == nullptr) {
          return absl::ResourceExhaustedError("out of memory for folded constants");
        }
        data[id] = outputs.back().get();
      }
      if (!(*step)(TensorData(data)).ok()) {
        for (graph::TensorId id : op.outputs) data[id] = nullptr;
        continue;  // fails again at run time, with the executor's message
      }
      for (auto& buffer : outputs) result.buffers.push_back(std::move(buffer));
      for (graph::TensorId id : op.outputs) constant[id] = result.tensors[id] = true;
      result.folded[b][i] = true;
      ++result.count;
      result.bytes += bytes;
    }
  }
  return result;
}

}  // namespace inferd::cpu
