#include "backends/cpu/op_support.h"

#include "backends/cpu/kernel_binding.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_variables.h"

namespace inferd::cpu {
namespace {

using graph::Graph;
using graph::Op;

// Every operator of every block binds (CONST and CONST_SHAPE bind to an empty step). COND_IF and
// WHILE_LOOP have no kernel: GraphExecutor runs them, on any operands it can hold.
bool Binds(const Graph& g) {
  for (const graph::Block& block : g.blocks) {
    for (const graph::Operator& op : block.operators) {
      if (op.op == Op::kCondIf || op.op == Op::kWhileLoop) {
        for (const auto* list : {&op.inputs, &op.outputs}) {
          for (graph::TensorId id : *list) {
            if (StorageElementBytes(g.tensor(id).dtype) == 0) return false;
          }
        }
        continue;
      }
      if (graph::VariableAccessOf(g, op) != graph::VariableAccess::kNone) {
        // GraphExecutor's VariableStore runs these, on any type it can hold.
        for (const auto* list : {&op.inputs, &op.outputs}) {
          for (graph::TensorId id : *list) {
            if (StorageElementBytes(g.tensor(id).dtype) == 0) return false;
          }
        }
        continue;
      }
      if (!BindOperator(g, op).ok()) return false;
    }
  }
  return true;
}

}  // namespace

const std::vector<OpSupport>& CpuOpSupport() {
  static const std::vector<OpSupport>* const table =
      new std::vector<OpSupport>(graph::ProbeOpSupport(Binds));
  return *table;
}

}  // namespace inferd::cpu
