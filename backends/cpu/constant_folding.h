// Constant folding at load: an operator whose inputs are all constants (CONST / CONST_SHAPE
// outputs, or outputs of operators folded before it) is run once, with the very kernel it would
// run with at inference, and its outputs become constants. The results are therefore bit-exact by
// construction, and the folded operators take neither a step nor arena space at run time.
//
// Never folded: operators with effects or state (VARIABLE, VARIABLE_WRITE, VARIABLE_READ and
// IDENTITY on a variable tensor, CUSTOM, whose implementation may have effects), control flow
// (COND_IF, WHILE_LOOP), operators whose outputs the executor cannot hold, operators producing
// more than kMaxFoldedBytes (folding would trade a small graph for a large constant), and operators
// whose kernel fails on the constant values (they fail the same way at run time, as before).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

inline constexpr size_t kMaxFoldedBytes = size_t{16} << 20;

struct FoldedConstants {
  struct FreeDeleter {
    void operator()(uint8_t* p) const;
  };
  std::vector<std::vector<bool>> folded;  // [block][operator index]: evaluated at load
  std::vector<bool> tensors;              // [TensorId]: an output of a folded operator
  size_t count = 0;                       // operators folded
  size_t bytes = 0;                       // bytes their outputs hold
  std::vector<std::unique_ptr<uint8_t[], FreeDeleter>> buffers;

  bool IsFolded(graph::BlockId block, size_t op_index) const {
    return block < folded.size() && op_index < folded[block].size() && folded[block][op_index];
  }
};

// True for operators folding may evaluate (given constant inputs).
bool IsFoldable(const graph::Graph& graph, const graph::Operator& op);

// Folds `graph` (validated). `data` holds, per TensorId, the bytes of every constant already
// placed (CONST outputs); the outputs of folded operators are added to it.
absl::StatusOr<FoldedConstants> FoldConstants(const graph::Graph& graph,
                                              std::vector<uint8_t*>& data);

}  // namespace inferd::cpu
