// GraphExecutor: runs the main block of a validated TOSA graph on the CPU reference kernels.
//
// Everything is decided once in Create: each operator is bound to its kernel (an operator without
// one fails creation with UNIMPLEMENTED, never a run; a RESCALE / CLAMP after an INT8 convolution
// or matrix product may be folded into it, see requantisation_fusion.h), and every input and
// intermediate tensor gets
// a fixed place in an arena sized by a lifetime-aware memory plan. A run therefore allocates
// nothing; it only points inputs at the caller's bytes (copying them when misaligned), calls the
// bound kernels in order and copies the outputs out.
//
// Variables (VARIABLE, VARIABLE_WRITE, VARIABLE_READ) keep their values in a VariableStore owned
// by the executor: state persists from one Run to the next and is never shared with another
// executor (another model instance).
//
// Operators whose inputs are all constants are evaluated at load (constant_folding.h) and take no
// step or arena space.
//
// Constants are held once: the executor plans its own copy of the graph and, once every operator
// is bound, drops the CONST payloads (and folded values) that no step reads at run time — weights
// the optimised kernels read only through the copies packed at load (packed_weights.h), and
// constants only folding read. The graph the caller passed keeps its bytes, for other instances.
//
// Control flow (COND_IF, WHILE_LOOP) is run here rather than by a bound kernel: every block such an
// operator calls is planned like the main block, with an arena of its own, and its inputs are
// pointed at the caller's buffers when it runs. A WHILE_LOOP has no iteration limit of its own;
// the cancellation token and deadline are checked on every iteration.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/cpu/constant_folding.h"
#include "backends/cpu/kernel_binding.h"
#include "backends/cpu/kernels/optimized/thread_pool.h"
#include "backends/cpu/packed_weights.h"
#include "backends/cpu/variable_store.h"
#include "engine/cancellation.h"
#include "engine/graph/graph.h"
#include "engine/operator_profile.h"

namespace inferd::cpu {

struct GraphExecutorOptions {
  // Evaluate operators whose inputs are all constants once, at load (constant_folding.h).
  bool fold_constants = true;
  // How many threads (>= 1) the optimised kernels split each operator over during a run: the
  // calling thread and threads - 1 workers the executor owns. Results do not depend on it.
  int threads = 1;
  // Where binding keeps the weights it packs. Executors of one graph (a model's instances) may
  // share a store and so one packed copy of each weight; null gives the executor its own.
  std::shared_ptr<PackedWeights> packed_weights;
};

class GraphExecutor {
 public:
  // `graph` must have passed graph::ValidateGraph.
  static absl::StatusOr<std::unique_ptr<GraphExecutor>> Create(
      std::shared_ptr<const graph::Graph> graph, const GraphExecutorOptions& options = {});

  GraphExecutor(const GraphExecutor&) = delete;
  GraphExecutor& operator=(const GraphExecutor&) = delete;

  // Runs the main block once. `inputs` and `outputs` follow the main block's input and output
  // order and hold exactly StorageBytes() of their tensor. Not thread-safe: one run at a time.
  // Fails with CANCELLED / DEADLINE_EXCEEDED between operators, or with the error of an operator
  // whose operand values break the specification (the message names the operator).
  absl::Status Run(std::span<const std::span<const uint8_t>> inputs,
                   std::span<const std::span<uint8_t>> outputs,
                   const CancellationToken* cancellation = nullptr,
                   absl::Time deadline = absl::InfiniteFuture());

  // Bytes tensor `id` occupies in the executor's layout (INT48 widened to 8 bytes an element).
  size_t StorageBytes(graph::TensorId id) const;

  // The executor's copy of the graph: the caller's, less the constant payloads no step reads at
  // run time (their Tensor::data is empty).
  const graph::Graph& graph() const { return *graph_; }
  // Bytes of all arenas together (the main block's and those of the blocks control flow calls).
  size_t arena_bytes() const { return arena_bytes_; }
  // Bytes of the packed weights in the executor's store (shared with the executors that share it).
  size_t packed_weight_bytes() const { return packed_weights_->bytes(); }
  // Bytes of constants (CONST payloads and folded values) dropped after binding.
  size_t dropped_constant_bytes() const { return dropped_constant_bytes_; }
  // Operators constant folding evaluated at load; they run no step.
  size_t folded_operator_count() const { return folded_.count; }

  // Calls and wall time of every bound operator since creation, main block first, then the blocks
  // control flow calls. Safe to call from another thread while Run runs.
  std::vector<OperatorTiming> OperatorProfile() const;

 private:
  struct Step {
    BoundStep run;         // empty for control flow
    size_t op_index;       // in its block
    int32_t control = -1;  // index into control_ for COND_IF / WHILE_LOOP
    // Operators a fused step runs after op_index (a RESCALE, a CLAMP), in order; for the profile.
    std::vector<size_t> fused;
  };

  // Storage from std::aligned_alloc.
  struct FreeDeleter {
    void operator()(uint8_t* p) const;
  };
  using AlignedBytes = std::unique_ptr<uint8_t[], FreeDeleter>;

  // Written only by the running thread; atomics so that a profile may be read meanwhile. Always
  // on: two clock reads per operator are noise beside any kernel.
  struct StepCounters {
    std::atomic<uint64_t> calls{0};
    std::atomic<uint64_t> nanos{0};
  };

  // One block's bound operators and the arena holding the tensors its operators produce.
  struct BlockPlan {
    bool planned = false;
    std::vector<Step> steps;
    std::unique_ptr<StepCounters[]> counters;  // one per step
    AlignedBytes arena;                        // 64-byte aligned, sized once
    size_t arena_bytes = 0;
  };

  // A COND_IF or WHILE_LOOP: the blocks it calls and, for a loop, a second set of buffers for the
  // loop-carried values (the operator's outputs are the first) so a body whose outputs permute its
  // inputs never overwrites a value it still reads.
  struct ControlOp {
    const graph::Operator* op = nullptr;
    graph::BlockId first = 0;   // then / cond
    graph::BlockId second = 0;  // else / body
    std::vector<uint8_t*> spare;
    std::vector<size_t> bytes;  // per loop-carried value
    // Run-time scratch, sized at load so a run allocates nothing.
    std::vector<uint8_t*> targets, sources, current, other;
  };

  struct RunContext {
    const CancellationToken* cancellation;
    absl::Time deadline;
  };

  GraphExecutor(std::shared_ptr<graph::Graph> graph, const GraphExecutorOptions& options);

  absl::Status Plan();
  absl::Status PlanConstants();
  absl::Status PlanBlock(graph::BlockId block);
  // Frees the constants no step of a planned block reads at run time.
  void DropUnreadConstants();
  absl::Status StepError(graph::BlockId block, size_t op_index, const absl::Status& status) const;
  absl::Status RunBlock(graph::BlockId block, const RunContext& context);
  absl::Status RunControl(ControlOp& control, const RunContext& context);
  // Points `block`'s inputs at `sources` (the caller's buffers).
  void BindBlockInputs(graph::BlockId block, std::span<uint8_t* const> sources);

  std::shared_ptr<graph::Graph> graph_;  // the executor's own copy
  GraphExecutorOptions options_;
  std::shared_ptr<PackedWeights> packed_weights_;
  // Per (block, operator index): the operands its steps read only through packed copies. Recorded
  // while binding, for DropUnreadConstants.
  std::map<std::pair<graph::BlockId, size_t>, std::vector<graph::TensorId>> packed_operands_;
  size_t dropped_constant_bytes_ = 0;
  FoldedConstants folded_;
  std::unique_ptr<kernels::optimized::ThreadPool> pool_;  // null for one thread
  std::vector<BlockPlan> blocks_;  // by BlockId; only blocks reachable from the main block
  std::vector<ControlOp> control_;
  size_t arena_bytes_ = 0;  // all blocks together
  // Constants the graph's bytes cannot serve directly (INT48 widened, misaligned payloads).
  std::vector<AlignedBytes> converted_constants_;
  // The graph's variables: this executor's (this model instance's) state across runs.
  std::unique_ptr<VariableStore> variables_;
  // Per TensorId: where its bytes are during a run.
  std::vector<uint8_t*> data_;
  // Per main-block input: its arena slot, used when the caller's bytes are misaligned.
  std::vector<uint8_t*> input_slots_;
};

}  // namespace inferd::cpu
