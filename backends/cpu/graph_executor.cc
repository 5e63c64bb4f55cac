#include "backends/cpu/graph_executor.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/cpu/constant_layout.h"
#include "backends/cpu/requantisation_fusion.h"
#include "engine/graph/memory_plan.h"

namespace inferd::cpu {
namespace {

constexpr size_t kAlignment = 64;

bool IsAligned(const void* p, size_t alignment) {
  return alignment == 0 || reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

}  // namespace

void GraphExecutor::FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

GraphExecutor::GraphExecutor(std::shared_ptr<graph::Graph> graph,
                             const GraphExecutorOptions& options)
    : graph_(std::move(graph)),
      options_(options),
      packed_weights_(options.packed_weights != nullptr ? options.packed_weights
                                                        : std::make_shared<PackedWeights>()) {}

absl::StatusOr<std::unique_ptr<GraphExecutor>> GraphExecutor::Create(
    std::shared_ptr<const graph::Graph> graph, const GraphExecutorOptions& options) {
  if (graph == nullptr || graph->blocks.empty()) {
    return absl::InvalidArgumentError("the CPU backend needs a TOSA graph with a main block");
  }
  if (options.threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("thread count must be >= 1, got ", options.threads));
  }
  // A copy to plan on: the constants no step reads are dropped from it once bound, while the
  // caller's graph (which other instances may bind) keeps them.
  std::unique_ptr<GraphExecutor> executor(
      new GraphExecutor(std::make_shared<graph::Graph>(*graph), options));
  if (options.threads > 1) {
    executor->pool_ = std::make_unique<kernels::optimized::ThreadPool>(options.threads);
  }
  if (absl::Status status = executor->Plan(); !status.ok()) return status;
  return executor;
}

size_t GraphExecutor::StorageBytes(graph::TensorId id) const {
  const graph::Tensor& t = graph_->tensor(id);
  return static_cast<size_t>(graph::ElementCount(t).value_or(0)) * StorageElementBytes(t.dtype);
}

absl::Status GraphExecutor::Plan() {
  const graph::Graph& g = *graph_;
  data_.assign(g.tensors.size(), nullptr);
  blocks_.resize(g.blocks.size());
  if (absl::Status status = PlanConstants(); !status.ok()) return status;
  absl::StatusOr<std::unique_ptr<VariableStore>> variables = VariableStore::Create(g);
  if (!variables.ok()) return variables.status();
  variables_ = *std::move(variables);
  variables_->Bind(data_);
  if (options_.fold_constants) {
    absl::StatusOr<FoldedConstants> folded = FoldConstants(g, data_);
    if (!folded.ok()) return folded.status();
    folded_ = *std::move(folded);
  }
  if (absl::Status status = PlanBlock(graph::Graph::kMainBlock); !status.ok()) return status;
  for (graph::TensorId id : g.main_block().inputs) input_slots_.push_back(data_[id]);
  DropUnreadConstants();
  return absl::OkStatus();
}

void GraphExecutor::DropUnreadConstants() {
  graph::Graph& g = *graph_;
  // What the bound steps of the planned blocks read at run time: every operand of an operator
  // that is not folded, less those its steps read only through packed copies, and the blocks'
  // outputs. Operators run inside a fused step count with all their operands.
  std::vector<bool> read(g.tensors.size(), false);
  for (graph::BlockId block_id = 0; block_id < blocks_.size(); ++block_id) {
    if (!blocks_[block_id].planned) continue;
    const graph::Block& block = g.blocks[block_id];
    for (size_t i = 0; i < block.operators.size(); ++i) {
      if (folded_.IsFolded(block_id, i)) continue;
      const auto packed = packed_operands_.find({block_id, i});
      for (graph::TensorId id : block.operators[i].inputs) {
        if (packed == packed_operands_.end() ||
            std::find(packed->second.begin(), packed->second.end(), id) == packed->second.end()) {
          read[id] = true;
        }
      }
    }
    for (graph::TensorId id : block.outputs) read[id] = true;
  }
  packed_operands_ = {};

  auto free_owned = [this](graph::TensorId id) {
    if (data_[id] == nullptr) return;
    for (AlignedBytes& copy : converted_constants_) {
      if (copy.get() == data_[id]) copy.reset();
    }
    for (auto& buffer : folded_.buffers) {
      if (buffer.get() == data_[id]) {
        dropped_constant_bytes_ += StorageBytes(id);
        buffer.reset();
      }
    }
    data_[id] = nullptr;
  };
  for (const graph::Block& block : g.blocks) {
    for (const graph::Operator& op : block.operators) {
      if (op.op != graph::Op::kConst) continue;
      for (graph::TensorId id : op.outputs) {
        graph::Tensor& t = g.tensors[id];
        if (read[id] || StorageElementBytes(t.dtype) == 0 || t.data.empty()) continue;
        dropped_constant_bytes_ += t.data.size();
        std::vector<uint8_t>().swap(t.data);  // clear() would keep the capacity
        free_owned(id);
      }
    }
  }
  for (graph::TensorId id = 0; id < g.tensors.size(); ++id) {
    if (id < folded_.tensors.size() && folded_.tensors[id] && !read[id] && data_[id] != nullptr) {
      free_owned(id);
    }
  }
}

absl::Status GraphExecutor::PlanConstants() {
  const graph::Graph& g = *graph_;
  for (const graph::Block& block : g.blocks) {
    for (const graph::Operator& op : block.operators) {
      if (op.op != graph::Op::kConst && op.op != graph::Op::kConstShape) continue;
      for (graph::TensorId id : op.outputs) {
        const graph::Tensor& t = g.tensor(id);
        const size_t element_bytes = StorageElementBytes(t.dtype);
        if (element_bytes == 0) continue;  // SHAPE operands: read at bind time, never by kernels
        // The graph's own bytes serve when the layout matches (not for INT48 and INT4).
        const int64_t count = graph::ElementCount(t).value_or(0);
        if (!NeedsDecoding(t.dtype) && IsAligned(t.data.data(), element_bytes)) {
          data_[id] = const_cast<uint8_t*>(t.data.data());  // kernels never write their inputs
          continue;
        }
        const size_t bytes = static_cast<size_t>(count) * element_bytes;
        AlignedBytes copy(static_cast<uint8_t*>(std::aligned_alloc(
            kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment + kAlignment)));
        if (copy == nullptr) return absl::ResourceExhaustedError("out of memory for constants");
        DecodeConstantData(t, count, copy.get());
        data_[id] = copy.get();
        converted_constants_.push_back(std::move(copy));
      }
    }
  }
  return absl::OkStatus();
}

namespace {

bool IsConstantOp(graph::Op op) { return op == graph::Op::kConst || op == graph::Op::kConstShape; }

// The blocks a COND_IF / WHILE_LOOP calls (then, else / cond, body); empty for other operators.
std::vector<graph::BlockId> Callees(const graph::Operator& op) {
  if (const auto* a = std::get_if<graph::CondIfAttr>(&op.attribute)) {
    return {a->then_block.value_or(0), a->else_block.value_or(0)};
  }
  if (const auto* w = std::get_if<graph::WhileLoopAttr>(&op.attribute)) {
    return {w->cond_block.value_or(0), w->body_block.value_or(0)};
  }
  return {};
}

// Every tensor `block` and the blocks it calls read or return, transitively: a callee may use
// the tensors of any block above it, which must then stay alive for the whole call.
void CollectReferences(const graph::Graph& g, graph::BlockId block,
                       std::vector<graph::TensorId>& out, std::vector<bool>& visited) {
  if (visited[block]) return;
  visited[block] = true;
  const graph::Block& b = g.blocks[block];
  for (const graph::Operator& op : b.operators) {
    out.insert(out.end(), op.inputs.begin(), op.inputs.end());
    for (graph::BlockId callee : Callees(op)) CollectReferences(g, callee, out, visited);
  }
  out.insert(out.end(), b.outputs.begin(), b.outputs.end());
}

}  // namespace

absl::Status GraphExecutor::PlanBlock(graph::BlockId block_id) {
  const graph::Graph& g = *graph_;
  BlockPlan& plan = blocks_[block_id];
  if (plan.planned) return absl::OkStatus();
  plan.planned = true;  // the validator rules out recursion; this only skips repeat callees
  const graph::Block& block = g.blocks[block_id];
  const auto op_count = static_cast<int32_t>(block.operators.size());
  const bool is_main = block_id == graph::Graph::kMainBlock;
  const std::string where = is_main ? std::string() : absl::StrCat("block '", block.name, "' ");

  // Operators folded into another's step run at that step: `position` is where each operator's
  // reads and writes happen, for the lifetimes below.
  std::vector<int32_t> position(block.operators.size());
  for (size_t i = 0; i < position.size(); ++i) position[i] = static_cast<int32_t>(i);
  std::vector<const RequantisationFusion*> fusion_at(block.operators.size(), nullptr);
  // Folded weights are packed for the optimised kernels like CONST ones.
  const LoadTimeConstants constants(g, data_, folded_.tensors, packed_weights_.get());
  const std::vector<RequantisationFusion> fusions =
      FindRequantisationFusions(g, block_id, constants);
  for (const RequantisationFusion& fusion : fusions) {
    // A folded producer leaves its RESCALE / CLAMP to folding too, or, where folding them failed
    // (operand values the kernel refuses), to run on their own and report it.
    if (folded_.IsFolded(block_id, fusion.producer)) continue;
    fusion_at[fusion.producer] = &fusion;
    position[fusion.rescale] = static_cast<int32_t>(fusion.producer);
    if (fusion.clamp) position[*fusion.clamp] = static_cast<int32_t>(fusion.producer);
  }

  // Bind first: a missing kernel is the most useful error to report.
  for (size_t i = 0; i < block.operators.size(); ++i) {
    const graph::Operator& op = block.operators[i];
    if (folded_.IsFolded(block_id, i)) continue;
    if (position[i] != static_cast<int32_t>(i)) continue;  // runs inside a fused step
    if (op.op == graph::Op::kCondIf || op.op == graph::Op::kWhileLoop) {
      const std::vector<graph::BlockId> callees = Callees(op);
      for (graph::TensorId id : op.inputs) {
        if (StorageElementBytes(g.tensor(id).dtype) == 0) {
          return absl::UnimplementedError(
              absl::StrCat(where, "operator #", i, " ", std::string(graph::OpName(op.op)),
                           ": the CPU backend cannot hold ",
                           std::string(graph::DTypeName(g.tensor(id).dtype)), " operands"));
        }
      }
      for (graph::BlockId callee : callees) {
        if (absl::Status status = PlanBlock(callee); !status.ok()) return status;
      }
      ControlOp control;
      control.op = &op;
      control.first = callees[0];
      control.second = callees[1];
      control.targets.assign(op.outputs.size(), nullptr);
      control.sources.assign(op.inputs.size(), nullptr);
      control.current.assign(op.outputs.size(), nullptr);
      control.other.assign(op.outputs.size(), nullptr);
      plan.steps.push_back(Step{BoundStep(), i, static_cast<int32_t>(control_.size())});
      control_.push_back(std::move(control));
      continue;
    }
    if (std::optional<BoundStep> access = variables_->BindAccess(g, op)) {
      if (*access) plan.steps.push_back(Step{*std::move(access), i});
      continue;
    }
    absl::StatusOr<BoundStep> step =
        fusion_at[i] != nullptr ? BindRequantisationFusion(g, block_id, *fusion_at[i], constants)
                                : BindOperator(g, op, constants);
    if (std::vector<graph::TensorId> packed = constants.TakePackedOperands(); !packed.empty()) {
      packed_operands_[{block_id, i}] = std::move(packed);
    }
    if (!step.ok()) {
      return absl::Status(step.status().code(), absl::StrCat(where, "operator #", i, " ",
                                                             std::string(graph::OpName(op.op)),
                                                             ": ", step.status().message()));
    }
    if (!*step) continue;
    Step bound{*std::move(step), i};
    if (fusion_at[i] != nullptr) {
      bound.fused.push_back(fusion_at[i]->rescale);
      if (fusion_at[i]->clamp) bound.fused.push_back(*fusion_at[i]->clamp);
    }
    plan.steps.push_back(std::move(bound));
  }

  plan.counters = std::make_unique<StepCounters[]>(plan.steps.size());

  // Lifetimes, in operator indices. Inputs are live from before the first operator; outputs of the
  // block until after the last. A nested block's inputs are the caller's buffers, never planned.
  constexpr int32_t kUnset = std::numeric_limits<int32_t>::min();
  std::vector<int32_t> first_use(g.tensors.size(), kUnset);
  std::vector<int32_t> last_use(g.tensors.size(), kUnset);
  auto use = [&](graph::TensorId id, int32_t i) { last_use[id] = std::max(last_use[id], i); };
  if (is_main) {
    for (graph::TensorId id : block.inputs) first_use[id] = last_use[id] = -1;
  }
  for (int32_t i = 0; i < op_count; ++i) {
    const graph::Operator& op = block.operators[i];
    const int32_t at = position[i];
    for (graph::TensorId id : op.inputs) use(id, at);
    std::vector<graph::TensorId> referenced;
    std::vector<bool> visited(g.blocks.size(), false);
    for (graph::BlockId callee : Callees(op)) CollectReferences(g, callee, referenced, visited);
    for (graph::TensorId id : referenced) use(id, at);
    if (IsConstantOp(op.op) || folded_.IsFolded(block_id, static_cast<size_t>(i))) continue;
    for (graph::TensorId id : op.outputs) {
      first_use[id] = at;
      use(id, i);
    }
  }
  for (graph::TensorId id : block.outputs) use(id, op_count);

  std::vector<graph::TensorId> planned;
  std::vector<graph::BufferRequest> requests;
  for (graph::TensorId id = 0; id < g.tensors.size(); ++id) {
    // Variables live in the VariableStore, across runs.
    if (first_use[id] == kUnset || StorageElementBytes(g.tensor(id).dtype) == 0 ||
        g.tensor(id).variable) {
      continue;
    }
    planned.push_back(id);
    requests.push_back(graph::BufferRequest{StorageBytes(id), first_use[id], last_use[id]});
  }
  // A loop's second set of loop-carried buffers lives for the operator only.
  const size_t first_spare = requests.size();
  for (const Step& step : plan.steps) {
    if (step.control < 0) continue;
    ControlOp& control = control_[step.control];
    if (control.op->op != graph::Op::kWhileLoop) continue;
    for (graph::TensorId id : control.op->outputs) {
      control.bytes.push_back(StorageBytes(id));
      requests.push_back(graph::BufferRequest{StorageBytes(id), static_cast<int32_t>(step.op_index),
                                              static_cast<int32_t>(step.op_index)});
    }
  }

  const graph::MemoryPlan layout = graph::PlanMemory(requests, kAlignment);
  plan.arena_bytes = layout.arena_bytes;
  plan.arena.reset(static_cast<uint8_t*>(
      std::aligned_alloc(kAlignment, std::max(plan.arena_bytes, kAlignment))));
  if (plan.arena == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate ", plan.arena_bytes, " bytes for the graph's tensors"));
  }
  arena_bytes_ += plan.arena_bytes;
  for (size_t i = 0; i < planned.size(); ++i) {
    data_[planned[i]] = plan.arena.get() + layout.offsets[i];
  }
  size_t next = first_spare;
  for (const Step& step : plan.steps) {
    if (step.control < 0) continue;
    ControlOp& control = control_[step.control];
    if (control.op->op != graph::Op::kWhileLoop) continue;
    for (size_t k = 0; k < control.op->outputs.size(); ++k) {
      control.spare.push_back(plan.arena.get() + layout.offsets[next++]);
    }
  }
  return absl::OkStatus();
}

std::vector<OperatorTiming> GraphExecutor::OperatorProfile() const {
  const graph::Graph& g = *graph_;
  std::vector<OperatorTiming> timings;
  for (graph::BlockId block_id = 0; block_id < blocks_.size(); ++block_id) {
    const BlockPlan& plan = blocks_[block_id];
    if (!plan.planned) continue;
    const graph::Block& block = g.blocks[block_id];
    for (size_t s = 0; s < plan.steps.size(); ++s) {
      const Step& step = plan.steps[s];
      const graph::Operator& op = block.operators[step.op_index];
      OperatorTiming timing;
      timing.block =
          block.name.empty() && block_id == graph::Graph::kMainBlock ? "main" : block.name;
      timing.index = static_cast<int64_t>(step.op_index);
      timing.op = std::string(graph::OpName(op.op));
      // A fused step is named after all its operators and shows the tensor it finally writes.
      const graph::Operator* last = &op;
      for (size_t fused : step.fused) {
        last = &block.operators[fused];
        absl::StrAppend(&timing.op, "+", std::string(graph::OpName(last->op)));
      }
      if (!last->outputs.empty()) {
        const graph::Tensor& output = g.tensor(last->outputs[0]);
        timing.output = output.name;
        timing.shape = output.shape.empty() ? "scalar" : absl::StrJoin(output.shape, "x");
      }
      timing.calls = plan.counters[s].calls.load(std::memory_order_relaxed);
      timing.total_ns = plan.counters[s].nanos.load(std::memory_order_relaxed);
      timings.push_back(std::move(timing));
    }
  }
  return timings;
}

absl::Status GraphExecutor::StepError(graph::BlockId block_id, size_t op_index,
                                      const absl::Status& status) const {
  // Interruptions keep their own message, however deep in control flow they happened.
  if (status.code() == absl::StatusCode::kCancelled ||
      status.code() == absl::StatusCode::kDeadlineExceeded) {
    return status;
  }
  const graph::Block& block = graph_->blocks[block_id];
  const graph::Operator& op = block.operators[op_index];
  std::string output = op.outputs.empty() ? "" : graph_->tensor(op.outputs[0]).name;
  return absl::Status(
      status.code(),
      absl::StrCat(block_id == graph::Graph::kMainBlock ? std::string()
                                                        : absl::StrCat("block '", block.name, "' "),
                   "operator #", op_index, " ", std::string(graph::OpName(op.op)), " (output '",
                   output, "'): ", status.message()));
}

absl::Status GraphExecutor::Run(std::span<const std::span<const uint8_t>> inputs,
                                std::span<const std::span<uint8_t>> outputs,
                                const CancellationToken* cancellation, absl::Time deadline) {
  const graph::Block& main = graph_->main_block();
  if (inputs.size() != main.inputs.size() || outputs.size() != main.outputs.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the graph takes ", main.inputs.size(), " inputs and ", main.outputs.size(),
                     " outputs; got ", inputs.size(), " and ", outputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const graph::TensorId id = main.inputs[i];
    if (inputs[i].size() != StorageBytes(id)) {
      return absl::InvalidArgumentError(absl::StrCat("input '", graph_->tensor(id).name, "' has ",
                                                     inputs[i].size(), " bytes, expected ",
                                                     StorageBytes(id)));
    }
    // Point at the caller's bytes when the kernels can read them in place; kernels never write
    // their inputs, and a graph input is never an operator's output.
    if (IsAligned(inputs[i].data(), StorageElementBytes(graph_->tensor(id).dtype))) {
      data_[id] = const_cast<uint8_t*>(inputs[i].data());
    } else {
      data_[id] = input_slots_[i];
      std::memcpy(data_[id], inputs[i].data(), inputs[i].size());
    }
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const graph::TensorId id = main.outputs[i];
    if (outputs[i].size() != StorageBytes(id)) {
      return absl::InvalidArgumentError(absl::StrCat("output '", graph_->tensor(id).name,
                                                     "' needs ", StorageBytes(id), " bytes, got ",
                                                     outputs[i].size()));
    }
  }

  const kernels::optimized::ScopedKernelThreadPool use_pool(pool_.get());
  if (absl::Status status = RunBlock(graph::Graph::kMainBlock, RunContext{cancellation, deadline});
      !status.ok()) {
    return status;
  }

  for (size_t i = 0; i < outputs.size(); ++i) {
    const uint8_t* source = data_[main.outputs[i]];
    if (source != nullptr && !outputs[i].empty()) {
      std::memcpy(outputs[i].data(), source, outputs[i].size());
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status CheckInterrupted(const CancellationToken* cancellation, absl::Time deadline) {
  if (cancellation != nullptr && cancellation->IsCancelled()) {
    return absl::CancelledError("the batch was cancelled");
  }
  if (deadline != absl::InfiniteFuture() && absl::Now() > deadline) {
    return absl::DeadlineExceededError("the batch's deadline passed during execution");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status GraphExecutor::RunBlock(graph::BlockId block_id, const RunContext& context) {
  const TensorData data(data_);
  const BlockPlan& plan = blocks_[block_id];
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    const Step& step = plan.steps[s];
    if (absl::Status status = CheckInterrupted(context.cancellation, context.deadline);
        !status.ok()) {
      return status;
    }
    const auto start = std::chrono::steady_clock::now();
    absl::Status status =
        step.control >= 0 ? RunControl(control_[step.control], context) : step.run(data);
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - start);
    StepCounters& counters = plan.counters[s];
    counters.calls.store(counters.calls.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
    counters.nanos.store(
        counters.nanos.load(std::memory_order_relaxed) + static_cast<uint64_t>(elapsed.count()),
        std::memory_order_relaxed);
    if (!status.ok()) return StepError(block_id, step.op_index, status);
  }
  return absl::OkStatus();
}

void GraphExecutor::BindBlockInputs(graph::BlockId block_id, std::span<uint8_t* const> sources) {
  const graph::Block& block = graph_->blocks[block_id];
  for (size_t i = 0; i < block.inputs.size() && i < sources.size(); ++i) {
    data_[block.inputs[i]] = sources[i];
  }
}

absl::Status GraphExecutor::RunControl(ControlOp& control, const RunContext& context) {
  const graph::Operator& op = *control.op;
  const graph::Graph& g = *graph_;
  // Copies `block`'s outputs into `targets`, each StorageBytes of the matching operator output.
  auto copy_outputs = [&](graph::BlockId block_id, std::span<uint8_t* const> targets) {
    const graph::Block& block = g.blocks[block_id];
    for (size_t i = 0; i < block.outputs.size() && i < targets.size(); ++i) {
      const uint8_t* source = data_[block.outputs[i]];
      const size_t bytes = StorageBytes(op.outputs[i]);
      if (source != targets[i] && source != nullptr && bytes != 0) {
        std::memmove(targets[i], source, bytes);
      }
    }
  };
  std::vector<uint8_t*>& targets = control.targets;
  for (size_t i = 0; i < op.outputs.size(); ++i) targets[i] = data_[op.outputs[i]];

  if (op.op == graph::Op::kCondIf) {
    const bool condition = data_[op.inputs[0]][0] != 0;
    const graph::BlockId chosen = condition ? control.first : control.second;
    std::vector<uint8_t*>& sources = control.sources;
    for (size_t i = 1; i < op.inputs.size(); ++i) sources[i - 1] = data_[op.inputs[i]];
    BindBlockInputs(chosen, sources);
    if (absl::Status status = RunBlock(chosen, context); !status.ok()) return status;
    copy_outputs(chosen, targets);
    return absl::OkStatus();
  }

  // WHILE_LOOP: the loop-carried values start as copies of the inputs, in the operator's outputs.
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    const uint8_t* source = data_[op.inputs[i]];
    if (source != targets[i] && source != nullptr && control.bytes[i] != 0) {
      std::memcpy(targets[i], source, control.bytes[i]);
    }
  }
  std::vector<uint8_t*>& current = control.current;
  std::vector<uint8_t*>& other = control.other;
  current = targets;  // same sizes: assignment reuses the storage planned at load
  other = control.spare;
  const graph::TensorId cond_output = g.blocks[control.first].outputs[0];
  while (true) {
    if (absl::Status status = CheckInterrupted(context.cancellation, context.deadline);
        !status.ok()) {
      return status;
    }
    BindBlockInputs(control.first, current);
    if (absl::Status status = RunBlock(control.first, context); !status.ok()) return status;
    if (data_[cond_output][0] == 0) break;
    BindBlockInputs(control.second, current);
    if (absl::Status status = RunBlock(control.second, context); !status.ok()) return status;
    // The body may return its inputs in any order, so its results go to the other set.
    copy_outputs(control.second, other);
    std::swap(current, other);
  }
  if (current != targets) {
    for (size_t i = 0; i < targets.size(); ++i) {
      if (control.bytes[i] != 0) std::memcpy(targets[i], current[i], control.bytes[i]);
    }
  }
  return absl::OkStatus();
}

}  // namespace inferd::cpu
