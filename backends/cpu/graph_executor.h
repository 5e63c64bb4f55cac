// GraphExecutor: runs the main block of a validated TOSA graph on the CPU reference kernels.
//
// Everything is decided once in Create: each operator is bound to its kernel (an operator without
// one fails creation with UNIMPLEMENTED, never a run), and every input and intermediate tensor gets
// a fixed place in one arena sized by a lifetime-aware memory plan. A run therefore allocates
// nothing; it only points inputs at the caller's bytes (copying them when misaligned), calls the
// bound kernels in order and copies the outputs out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/cpu/kernel_binding.h"
#include "engine/cancellation.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

class GraphExecutor {
 public:
  // `graph` must have passed graph::ValidateGraph.
  static absl::StatusOr<std::unique_ptr<GraphExecutor>> Create(
      std::shared_ptr<const graph::Graph> graph);

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

  const graph::Graph& graph() const { return *graph_; }
  size_t arena_bytes() const { return arena_bytes_; }

 private:
  struct Step {
    BoundStep run;
    size_t op_index;
  };

  // Storage from std::aligned_alloc.
  struct FreeDeleter {
    void operator()(uint8_t* p) const;
  };
  using AlignedBytes = std::unique_ptr<uint8_t[], FreeDeleter>;

  explicit GraphExecutor(std::shared_ptr<const graph::Graph> graph);

  absl::Status Plan();
  absl::Status StepError(size_t op_index, const absl::Status& status) const;

  std::shared_ptr<const graph::Graph> graph_;
  std::vector<Step> steps_;
  // Arena storage: 64-byte aligned, sized once.
  AlignedBytes arena_;
  size_t arena_bytes_ = 0;
  // Constants the graph's bytes cannot serve directly (INT48 widened, misaligned payloads).
  std::vector<AlignedBytes> converted_constants_;
  // Per TensorId: where its bytes are during a run.
  std::vector<uint8_t*> data_;
  // Per main-block input: its arena slot, used when the caller's bytes are misaligned.
  std::vector<uint8_t*> input_slots_;
};

}  // namespace inferd::cpu
