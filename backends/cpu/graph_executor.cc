#include "backends/cpu/graph_executor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/cpu/memory_plan.h"

namespace inferd::cpu {
namespace {

constexpr size_t kAlignment = 64;

bool IsAligned(const void* p, size_t alignment) {
  return alignment == 0 || reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

}  // namespace

void GraphExecutor::FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

GraphExecutor::GraphExecutor(std::shared_ptr<const graph::Graph> graph)
    : graph_(std::move(graph)) {}

absl::StatusOr<std::unique_ptr<GraphExecutor>> GraphExecutor::Create(
    std::shared_ptr<const graph::Graph> graph) {
  if (graph == nullptr || graph->blocks.empty()) {
    return absl::InvalidArgumentError("the CPU backend needs a TOSA graph with a main block");
  }
  std::unique_ptr<GraphExecutor> executor(new GraphExecutor(std::move(graph)));
  if (absl::Status status = executor->Plan(); !status.ok()) return status;
  return executor;
}

size_t GraphExecutor::StorageBytes(graph::TensorId id) const {
  const graph::Tensor& t = graph_->tensor(id);
  return static_cast<size_t>(graph::ElementCount(t).value_or(0)) * StorageElementBytes(t.dtype);
}

absl::Status GraphExecutor::Plan() {
  const graph::Graph& g = *graph_;
  const graph::Block& main = g.main_block();
  const auto op_count = static_cast<int32_t>(main.operators.size());

  // Bind first: a missing kernel is the most useful error to report.
  for (size_t i = 0; i < main.operators.size(); ++i) {
    const graph::Operator& op = main.operators[i];
    absl::StatusOr<BoundStep> step = BindOperator(g, op);
    if (!step.ok()) {
      return absl::Status(step.status().code(),
                          absl::StrCat("operator #", i, " ", std::string(graph::OpName(op.op)),
                                       ": ", step.status().message()));
    }
    if (*step) steps_.push_back(Step{*std::move(step), i});
  }

  // Lifetimes, in operator indices. Inputs are live from before the first operator; outputs of the
  // main block until after the last.
  constexpr int32_t kUnset = std::numeric_limits<int32_t>::min();
  std::vector<int32_t> first_use(g.tensors.size(), kUnset);
  std::vector<int32_t> last_use(g.tensors.size(), kUnset);
  std::vector<bool> constant(g.tensors.size(), false);
  for (graph::TensorId id : main.inputs) first_use[id] = last_use[id] = -1;
  for (int32_t i = 0; i < op_count; ++i) {
    const graph::Operator& op = main.operators[i];
    for (graph::TensorId id : op.inputs) last_use[id] = std::max(last_use[id], i);
    for (graph::TensorId id : op.outputs) {
      if (op.op == graph::Op::kConst || op.op == graph::Op::kConstShape) {
        constant[id] = true;
      } else {
        first_use[id] = i;
        last_use[id] = std::max(last_use[id], i);
      }
    }
  }
  for (graph::TensorId id : main.outputs) last_use[id] = op_count;

  data_.assign(g.tensors.size(), nullptr);
  std::vector<graph::TensorId> planned;
  std::vector<BufferRequest> requests;
  for (graph::TensorId id = 0; id < g.tensors.size(); ++id) {
    const graph::Tensor& t = g.tensor(id);
    const size_t element_bytes = StorageElementBytes(t.dtype);
    if (element_bytes == 0) continue;  // SHAPE operands: read at bind time, never by kernels
    if (constant[id]) {
      // The graph's own bytes serve when the layout matches; INT48 is widened to int64.
      const int64_t count = graph::ElementCount(t).value_or(0);
      if (t.dtype != graph::DType::kInt48 && IsAligned(t.data.data(), element_bytes)) {
        data_[id] = const_cast<uint8_t*>(t.data.data());  // kernels never write their inputs
        continue;
      }
      const size_t bytes = static_cast<size_t>(count) * element_bytes;
      AlignedBytes copy(static_cast<uint8_t*>(std::aligned_alloc(
          kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment + kAlignment)));
      if (copy == nullptr) return absl::ResourceExhaustedError("out of memory for constants");
      if (t.dtype == graph::DType::kInt48) {
        for (int64_t i = 0; i < count; ++i) {
          // 6 little-endian bytes, sign-extended.
          uint64_t raw = 0;
          for (int b = 5; b >= 0; --b) raw = (raw << 8) | t.data[static_cast<size_t>(i) * 6 + b];
          const int64_t value = static_cast<int64_t>(raw << 16) >> 16;
          std::memcpy(copy.get() + i * 8, &value, 8);
        }
      } else {
        std::memcpy(copy.get(), t.data.data(), bytes);
      }
      data_[id] = copy.get();
      converted_constants_.push_back(std::move(copy));
      continue;
    }
    if (first_use[id] == kUnset) continue;  // not used by the main block
    planned.push_back(id);
    requests.push_back(BufferRequest{StorageBytes(id), first_use[id], last_use[id]});
  }

  const MemoryPlan plan = PlanMemory(requests, kAlignment);
  arena_bytes_ = plan.arena_bytes;
  arena_.reset(
      static_cast<uint8_t*>(std::aligned_alloc(kAlignment, std::max(arena_bytes_, kAlignment))));
  if (arena_ == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate ", arena_bytes_, " bytes for the graph's tensors"));
  }
  for (size_t i = 0; i < planned.size(); ++i) data_[planned[i]] = arena_.get() + plan.offsets[i];
  for (graph::TensorId id : main.inputs) input_slots_.push_back(data_[id]);
  return absl::OkStatus();
}

absl::Status GraphExecutor::StepError(size_t op_index, const absl::Status& status) const {
  const graph::Operator& op = graph_->main_block().operators[op_index];
  std::string output = op.outputs.empty() ? "" : graph_->tensor(op.outputs[0]).name;
  return absl::Status(status.code(),
                      absl::StrCat("operator #", op_index, " ", std::string(graph::OpName(op.op)),
                                   " (output '", output, "'): ", status.message()));
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

  const TensorData data(data_);
  const bool has_deadline = deadline != absl::InfiniteFuture();
  for (const Step& step : steps_) {
    if (cancellation != nullptr && cancellation->IsCancelled()) {
      return absl::CancelledError("the batch was cancelled");
    }
    if (has_deadline && absl::Now() > deadline) {
      return absl::DeadlineExceededError("the batch's deadline passed during execution");
    }
    if (absl::Status status = step.run(data); !status.ok()) {
      return StepError(step.op_index, status);
    }
  }

  for (size_t i = 0; i < outputs.size(); ++i) {
    const uint8_t* source = data_[main.outputs[i]];
    if (source != nullptr && !outputs[i].empty()) {
      std::memcpy(outputs[i].data(), source, outputs[i].size());
    }
  }
  return absl::OkStatus();
}

}  // namespace inferd::cpu
