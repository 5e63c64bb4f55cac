#include "backends/vulkan/vulkan_backend.h"

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "backends/vulkan/batch_plan.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_device.h"
#include "engine/graph/batched_graph.h"
#include "engine/graph/dtype.h"
#include "engine/graph/graph.h"
#include "spdlog/spdlog.h"

namespace inferd::vulkan {
namespace {

// Where a model input or output (in the config's order) sits among the main block's tensors.
struct Port {
  std::string name;
  DataType dtype = DataType::kInvalid;
  size_t graph_index = 0;
  Shape graph_shape;
  size_t item_bytes = 0;
};

absl::StatusOr<std::vector<Port>> BindPorts(const GraphProgram& program,
                                            const std::vector<TensorSpec>& specs,
                                            const std::vector<graph::TensorId>& ids, bool batching,
                                            bool outputs) {
  const char* kind = outputs ? "output" : "input";
  if (specs.size() != ids.size()) {
    return absl::InvalidArgumentError(absl::StrCat("the model declares ", specs.size(), " ", kind,
                                                   "s but the graph has ", ids.size()));
  }
  std::vector<Port> ports;
  for (const TensorSpec& spec : specs) {
    size_t index = ids.size();
    for (size_t i = 0; i < ids.size(); ++i) {
      if (program.graph().tensor(ids[i]).name == spec.name) index = i;
    }
    if (index == ids.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kind, " '", spec.name, "' is not a ", kind, " of the graph"));
    }
    const graph::Tensor& tensor = program.graph().tensor(ids[index]);
    if (graph::ToDataType(tensor.dtype) != spec.dtype) {
      return absl::InvalidArgumentError(
          absl::StrCat(kind, " '", spec.name, "' is ", std::string(DataTypeName(spec.dtype)),
                       " but the graph's tensor is ", std::string(graph::DTypeName(tensor.dtype))));
    }
    if (batching && (tensor.shape.empty() || tensor.shape[0] != 1)) {
      return absl::UnimplementedError(
          absl::StrCat("the Vulkan backend batches by running the graph once per item, so graph ",
                       kind, " '", spec.name, "' needs a leading dimension of 1; its shape is ",
                       ShapeToString(tensor.shape)));
    }
    ports.push_back(Port{spec.name, spec.dtype, index, tensor.shape,
                         outputs ? program.output_bytes(index) : program.input_bytes(index)});
  }
  return ports;
}

// The programs that run a whole batch of one size at once (the graph widened to it), by size.
using BatchPasses = std::map<int64_t, std::unique_ptr<GraphProgram>>;

std::vector<int64_t> Sizes(const BatchPasses& passes) {
  std::vector<int64_t> sizes;
  for (const auto& [items, pass] : passes) sizes.push_back(items);
  return sizes;
}

// Runs a batch as the passes that fit it (batch_plan.h), the items left item by item on `program`.
class VulkanExecutable : public Executable {
 public:
  VulkanExecutable(std::string model_name, std::unique_ptr<GraphProgram> program,
                   BatchPasses passes, std::vector<Port> inputs, std::vector<Port> outputs,
                   bool batching, std::shared_ptr<VulkanDevice> device, PlacedInstance placed)
      : model_name_(std::move(model_name)),
        program_(std::move(program)),
        passes_(std::move(passes)),
        planner_(Sizes(passes_), program_->max_items()),
        inputs_(std::move(inputs)),
        outputs_(std::move(outputs)),
        batching_(batching),
        device_(std::move(device)),
        placed_(std::move(placed)) {
    device_->AddInstance(placed_);
  }
  ~VulkanExecutable() override { device_->RemoveInstance(placed_); }

  // The item-by-item program's operators, then those of each batch pass that has run, in a block
  // of their own ("main (batch pass of 16)": their indices are the widened graph's, their shapes
  // show the batch).
  std::vector<OperatorTiming> OperatorProfile() const override {
    std::vector<OperatorTiming> timings = program_->OperatorProfile();
    for (const auto& [items, pass] : passes_) {
      for (OperatorTiming& timing : pass->OperatorProfile()) {
        if (timing.calls == 0) continue;
        timing.block += absl::StrCat(" (batch pass of ", items, ")");
        timings.push_back(std::move(timing));
      }
    }
    return timings;
  }

  // A lost device never comes back: its models are UNAVAILABLE with the reason from then on.
  absl::Status Health() const override {
    if (!device_->lost()) return absl::OkStatus();
    return absl::UnavailableError(device_->lost_reason());
  }

  void Execute(Batch batch, BatchCallback done) override {
    const int64_t items = batching_ ? batch.batch_size : 1;
    if (items < 1) {
      done(Error(absl::InvalidArgumentError(absl::StrCat(
          "a batch of ", items, " items; a batch holds 1 to ", program_->max_items()))));
      return;
    }
    if (batch.cancellation->IsCancelled()) {
      done(absl::CancelledError(absl::StrCat("model '", model_name_, "': cancelled")));
      return;
    }
    if (batch.inputs.size() != inputs_.size()) {
      done(Error(absl::InvalidArgumentError(
          absl::StrCat("expected ", inputs_.size(), " inputs, got ", batch.inputs.size()))));
      return;
    }
    std::vector<std::span<const uint8_t>> spans(inputs_.size());
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Tensor& tensor = batch.inputs[i];
      const Port& port = inputs_[i];
      if (tensor.dtype() != port.dtype ||
          tensor.byte_size() != port.item_bytes * static_cast<size_t>(items)) {
        done(Error(absl::InvalidArgumentError(absl::StrCat(
            "input '", port.name, "' must be ", std::string(DataTypeName(port.dtype)), " with ",
            port.item_bytes * static_cast<size_t>(items), " bytes for a batch of ", items, "; got ",
            std::string(DataTypeName(tensor.dtype())), " with ", tensor.byte_size(), " bytes"))));
        return;
      }
      spans[port.graph_index] = tensor.bytes();
    }
    // The batch's parts (batch_plan.h), all submitted at once: each program has its own staging
    // and arena. The answer goes when the last part completes; each part reads its outputs into
    // its items' rows as it completes.
    const std::vector<BatchPart> parts = planner_.Plan(items);
    auto pending = std::make_shared<PendingBatch>();
    pending->start = absl::Now();
    pending->done = std::move(done);
    pending->parts_left = parts.size();
    pending->result.outputs.reserve(outputs_.size());
    for (const Port& port : outputs_) {
      Shape shape = port.graph_shape;
      if (batching_) shape[0] = items;
      pending->result.outputs.push_back(Tensor::Allocate(port.dtype, std::move(shape)));
    }
    // A WHILE_LOOP's host side stops between iterations once the request is cancelled or late;
    // graphs without control flow never ask, so they get no check to allocate.
    std::function<absl::Status()> interrupted;
    if (program_->has_control_flow()) {
      interrupted = [this, cancellation = batch.cancellation,
                     deadline = batch.deadline]() -> absl::Status {
        if (cancellation->IsCancelled()) {
          return absl::CancelledError(absl::StrCat("model '", model_name_, "': cancelled"));
        }
        if (absl::Now() > deadline) {
          return absl::DeadlineExceededError(
              absl::StrCat("model '", model_name_, "': deadline exceeded inside a WHILE_LOOP"));
        }
        return absl::OkStatus();
      };
    }
    for (size_t p = 0; p < parts.size(); ++p) {
      const BatchPart& part = parts[p];
      GraphProgram* program = part.pass ? passes_.at(part.items).get() : program_.get();
      const int runs = part.pass ? 1 : static_cast<int>(part.items);
      std::vector<std::span<const uint8_t>> part_inputs(spans.size());
      for (const Port& port : inputs_) {
        part_inputs[port.graph_index] =
            spans[port.graph_index].subspan(port.item_bytes * static_cast<size_t>(part.first_item),
                                            port.item_bytes * static_cast<size_t>(part.items));
      }
      auto finish = [this, program, runs, part, pending](absl::Status status) {
        if (status.ok()) {
          std::vector<std::span<uint8_t>> rows(outputs_.size());
          for (size_t i = 0; i < outputs_.size(); ++i) {
            const size_t item_bytes = outputs_[i].item_bytes;
            rows[outputs_[i].graph_index] = pending->result.outputs[i].mutable_bytes().subspan(
                item_bytes * static_cast<size_t>(part.first_item),
                item_bytes * static_cast<size_t>(part.items));
          }
          program->ReadOutputs(rows, runs);
        }
        Finish(*pending, status, 1);
      };
      if (absl::Status status = program->Start(part_inputs, runs, std::move(finish), interrupted);
          !status.ok()) {
        // Nothing of this part was submitted, nor will the parts after it be; those submitted
        // already answer when they complete.
        Finish(*pending, status, parts.size() - p);
        return;
      }
    }
  }

 private:
  // A batch whose parts are in flight. The first failure is the batch's answer.
  struct PendingBatch {
    absl::Mutex mutex;
    size_t parts_left ABSL_GUARDED_BY(mutex) = 0;
    absl::Status status ABSL_GUARDED_BY(mutex);
    absl::Time start;
    BatchResult result;
    BatchCallback done;
  };

  // `parts` parts of the batch are over, with `status`; the last answers.
  void Finish(PendingBatch& pending, const absl::Status& status, size_t parts) const {
    absl::Status answer;
    {
      absl::MutexLock lock(&pending.mutex);
      if (pending.status.ok() && !status.ok()) pending.status = status;
      pending.parts_left -= parts;
      if (pending.parts_left > 0) return;
      answer = pending.status;
    }
    if (!answer.ok()) {
      pending.done(Error(answer));
      return;
    }
    pending.result.compute_infer = absl::Now() - pending.start;
    pending.done(std::move(pending.result));
  }

  absl::Status Error(const absl::Status& status) const {
    return absl::Status(status.code(),
                        absl::StrCat("model '", model_name_, "': ", status.message()));
  }

  const std::string model_name_;
  const std::unique_ptr<GraphProgram> program_;
  const BatchPasses passes_;    // empty: every batch item by item
  const BatchPlanner planner_;  // over passes_'s sizes
  const std::vector<Port> inputs_;
  const std::vector<Port> outputs_;
  const bool batching_;
  const std::shared_ptr<VulkanDevice> device_;
  const PlacedInstance placed_;
};

// A config parameter that is "true" or "false", `absent` where the config leaves it out: the
// backend's gpu_operator_timing (every operator timed on the GPU for inferctl profile, at a
// timestamp's cost per operator; by default whole batch items) and gpu_batch_pass.
absl::StatusOr<bool> BoolParameter(const std::map<std::string, std::string>& parameters,
                                   std::string_view name, bool absent) {
  auto it = parameters.find(std::string(name));
  if (it == parameters.end()) return absent;
  if (it->second == "true" || it->second == "false") return it->second == "true";
  return absl::InvalidArgumentError(absl::StrCat(
      "parameter '", std::string(name), "' must be \"true\" or \"false\"; got '", it->second, "'"));
}

std::string ReadableSize(uint64_t bytes) {
  return bytes < (1u << 20) ? absl::StrCat((bytes + 1023) / 1024, " KiB")
                            : absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

// The batch passes for BatchPassSizes, logged. Largest first: the first one built makes the arena
// the smaller ones use (GraphProgramOptions::arena; an instance runs one batch at a time, and the
// parts of a batch one after another on the device's queue), so a pass beyond the first costs
// only its staging, the constants being the device's (constant_store.h). A size the device cannot
// hold (memory, maxStorageBufferRange) is left out and the smaller ones tried; a graph that does
// not widen has none.
BatchPasses MakeBatchPasses(const BackendLoadRequest& request,
                            const std::shared_ptr<VulkanDevice>& device,
                            GraphProgramOptions options) {
  const std::vector<int64_t> sizes =
      BatchPassSizes(request.max_batch_size, request.preferred_batch_sizes);
  BatchPasses passes;
  for (const int64_t items : sizes) {
    auto batched = graph::BatchedGraph(*request.graph, items);
    if (!batched.ok()) {
      spdlog::info("model '{}': every batch runs item by item: {}", request.model_name,
                   std::string(batched.status().message()));
      return passes;
    }
    auto pass = GraphProgram::Create(device, *batched, 1, options);
    if (!pass.ok()) {
      spdlog::info("model '{}': a batch of {} has no pass of its own: {}", request.model_name,
                   items, std::string(pass.status().message()));
      continue;
    }
    if (options.arena == nullptr) options.arena = (*pass)->arena();
    passes.emplace(items, *std::move(pass));
  }
  if (!passes.empty()) {
    uint64_t bytes = 0;
    std::vector<int64_t> built;
    for (const auto& [items, pass] : passes) {
      bytes += pass->allocated_bytes();
      built.insert(built.begin(), items);
    }
    spdlog::info(
        "model '{}': batches of {} items run as one pass each over the graph widened to them ({} "
        "on the device, the smaller passes in the largest one's arena, the model's constants "
        "shared); a batch of another size runs as the passes that fit it and the items left one "
        "at a time; gpu_batch_pass \"false\" runs every batch item by item",
        request.model_name, absl::StrJoin(built, ", "), ReadableSize(bytes));
  }
  return passes;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Executable>> VulkanBackend::Load(const BackendLoadRequest& request) {
  if (request.graph == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", std::string(kName), " backend runs TOSA graphs; ",
                     request.model_path.filename().string(), " is not one"));
  }
  std::optional<uint32_t> index;
  if (request.device_index.has_value()) index = static_cast<uint32_t>(*request.device_index);
  auto device = VulkanContext::OpenDevice(index, options_);
  if (!device.ok()) return device.status();
  absl::StatusOr<bool> time_operators =
      BoolParameter(request.parameters, kOperatorTimingParameter, false);
  if (!time_operators.ok()) return time_operators.status();
  absl::StatusOr<bool> batch_pass = BoolParameter(request.parameters, kBatchPassParameter, true);
  if (!batch_pass.ok()) return batch_pass.status();
  const bool batching = request.max_batch_size > 0;
  const GraphProgramOptions options{.time_operators = *time_operators};
  auto program =
      GraphProgram::Create(*device, request.graph, batching ? request.max_batch_size : 1, options);
  if (!program.ok()) return program.status();
  BatchPasses passes;
  if (batching && *batch_pass) passes = MakeBatchPasses(request, *device, options);
  // A cache that cannot be written costs the next start its compile time, not this model.
  if (auto saved = (*device)->SavePipelineCache(); !saved.ok()) {
    spdlog::warn("model '{}': pipeline cache not saved: {}", request.model_name,
                 std::string(saved.message()));
  }
  const graph::Block& main = request.graph->main_block();
  auto inputs = BindPorts(**program, request.inputs, main.inputs, batching, false);
  if (!inputs.ok()) return inputs.status();
  auto outputs = BindPorts(**program, request.outputs, main.outputs, batching, true);
  if (!outputs.ok()) return outputs.status();
  return std::make_unique<VulkanExecutable>(
      request.model_name, *std::move(program), std::move(passes), *std::move(inputs),
      *std::move(outputs), batching, *device,
      PlacedInstance{request.model_name, request.version, request.instance_index});
}

}  // namespace inferd::vulkan
