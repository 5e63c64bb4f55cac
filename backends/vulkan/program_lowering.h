// A whole graph's GPU work in the order it runs: the main block's operators lowered to steps
// (op_lowering.h) and, for COND_IF and WHILE_LOOP, the blocks they call, with the host's part in
// between. The host drives control flow, as the design asks: the GPU copies a BOOL into
// host-visible memory, the host reads it once that work completed, then submits the steps of the
// chosen branch or of the next iteration. Every step is still recorded once, at load.
//
// Device-free: GraphProgram runs the result, and GraphProgram::CheckRunnable (and through it the
// support table) asks it whether a graph can run at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/vulkan/op_lowering.h"
#include "engine/graph/graph.h"

namespace inferd::vulkan {

struct HostInstruction {
  enum class Kind {
    kRun,            // steps [first_step, end_step) on the GPU, recorded as one command buffer
    kReadFlag,       // the GPU copies the first byte of `tensor` (a BOOL) into flag `flag`
    kBranchIfFalse,  // wait for the GPU, then go to `target` unless flag `flag` is set
    kJump,           // go to `target`
    kLoopIteration,  // a WHILE_LOOP iteration begins: the host checks cancellation and deadline
  };
  Kind kind = Kind::kRun;
  size_t first_step = 0;
  size_t end_step = 0;
  graph::TensorId tensor = 0;
  uint32_t flag = 0;
  size_t target = 0;
};

// The operator a step computes: its block and index there; op_index -1 for the copies at a block
// boundary, which belong to no operator. A convolution's step that also does the RESCALE and CLAMP
// reading its output (epilogue_fusion.h) lists them in `fused`, in order.
struct StepOwner {
  graph::BlockId block = 0;
  int32_t op_index = -1;
  std::vector<int32_t> fused;
};

struct LoweredProgram {
  std::vector<Step> steps;
  std::vector<StepOwner> owners;  // by step
  // A graph without control flow has a single kRun over every step (or none, when it has no
  // steps), so that it can be recorded as one command buffer per batch item.
  std::vector<HostInstruction> code;
  // Every tensor a step, a block boundary or the caller touches, each once, in first-use order.
  std::vector<graph::TensorId> touched;
  uint32_t flags = 0;  // kReadFlag targets
  bool control_flow = false;
};

// UNIMPLEMENTED naming the operator or tensor the backend cannot run.
absl::StatusOr<LoweredProgram> LowerProgram(const graph::Graph& graph, OpLowering& lowering);

}  // namespace inferd::vulkan
