#include "backends/cpu/cpu_backend.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backends/cpu/graph_executor.h"
#include "engine/graph/dtype.h"
#include "engine/graph/graph.h"
#include "spdlog/spdlog.h"

namespace inferd::cpu {
namespace {

// Where a model input or output (in the config's order) sits among the main block's tensors.
struct Port {
  std::string name;
  DataType dtype = DataType::kInvalid;
  size_t graph_index = 0;  // index into main_block().inputs / outputs
  Shape graph_shape;
  size_t item_bytes = 0;  // bytes of one run of the graph
};

class CpuExecutable : public Executable {
 public:
  CpuExecutable(std::string model_name, std::unique_ptr<GraphExecutor> executor,
                std::vector<Port> inputs, std::vector<Port> outputs, bool batching)
      : model_name_(std::move(model_name)),
        executor_(std::move(executor)),
        inputs_(std::move(inputs)),
        outputs_(std::move(outputs)),
        batching_(batching),
        input_spans_(inputs_.size()),
        output_spans_(outputs_.size()) {}

  void Execute(Batch batch, BatchCallback done) override { done(Run(batch)); }
  bool CompletesInline() const override { return true; }
  std::vector<OperatorTiming> OperatorProfile() const override {
    return executor_->OperatorProfile();
  }

 private:
  absl::Status Error(const absl::Status& status) const {
    return absl::Status(status.code(),
                        absl::StrCat("model '", model_name_, "': ", status.message()));
  }

  absl::StatusOr<BatchResult> Run(const Batch& batch) {
    const int64_t items = batching_ ? batch.batch_size : 1;
    if (items < 1) return Error(absl::InvalidArgumentError("batch size must be at least 1"));
    if (batch.inputs.size() != inputs_.size()) {
      return Error(absl::InvalidArgumentError(
          absl::StrCat("expected ", inputs_.size(), " inputs, got ", batch.inputs.size())));
    }
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Tensor& tensor = batch.inputs[i];
      const Port& port = inputs_[i];
      if (tensor.dtype() != port.dtype ||
          tensor.byte_size() != port.item_bytes * static_cast<size_t>(items)) {
        return Error(absl::InvalidArgumentError(absl::StrCat(
            "input '", port.name, "' must be ", std::string(DataTypeName(port.dtype)), " with ",
            port.item_bytes * static_cast<size_t>(items), " bytes for a batch of ", items, "; got ",
            std::string(DataTypeName(tensor.dtype())), " with ", tensor.byte_size(), " bytes")));
      }
    }

    BatchResult result;
    result.outputs.reserve(outputs_.size());
    for (const Port& port : outputs_) {
      Shape shape = port.graph_shape;
      if (batching_) shape[0] = items;
      result.outputs.push_back(Tensor::Allocate(port.dtype, std::move(shape)));
    }

    const absl::Time start = absl::Now();
    for (int64_t item = 0; item < items; ++item) {
      const auto offset = [item](const Port& port) {
        return static_cast<size_t>(item) * port.item_bytes;
      };
      for (size_t i = 0; i < inputs_.size(); ++i) {
        input_spans_[inputs_[i].graph_index] =
            batch.inputs[i].bytes().subspan(offset(inputs_[i]), inputs_[i].item_bytes);
      }
      for (size_t i = 0; i < outputs_.size(); ++i) {
        output_spans_[outputs_[i].graph_index] =
            result.outputs[i].mutable_bytes().subspan(offset(outputs_[i]), outputs_[i].item_bytes);
      }
      if (absl::Status status =
              executor_->Run(input_spans_, output_spans_, batch.cancellation.get(), batch.deadline);
          !status.ok()) {
        return Error(status);
      }
    }
    result.compute_infer = absl::Now() - start;
    return result;
  }

  const std::string model_name_;
  const std::unique_ptr<GraphExecutor> executor_;
  const std::vector<Port> inputs_;
  const std::vector<Port> outputs_;
  const bool batching_;
  // Reused per run, in the main block's order.
  std::vector<std::span<const uint8_t>> input_spans_;
  std::vector<std::span<uint8_t>> output_spans_;
};

// Matches the request's tensors (config order, by name) with the main block's.
absl::StatusOr<std::vector<Port>> MatchPorts(const GraphExecutor& executor,
                                             const std::vector<TensorSpec>& specs,
                                             const std::vector<graph::TensorId>& graph_ids,
                                             bool batching, const char* kind) {
  const graph::Graph& g = executor.graph();
  if (specs.size() != graph_ids.size()) {
    return absl::InvalidArgumentError(absl::StrCat("the model declares ", specs.size(), " ", kind,
                                                   "s but the graph has ", graph_ids.size()));
  }
  std::vector<Port> ports;
  for (const TensorSpec& spec : specs) {
    Port port;
    port.name = spec.name;
    port.dtype = spec.dtype;
    bool found = false;
    for (size_t i = 0; i < graph_ids.size() && !found; ++i) {
      const graph::Tensor& t = g.tensor(graph_ids[i]);
      if (t.name != spec.name) continue;
      found = true;
      const std::optional<DataType> dtype = graph::ToDataType(t.dtype);
      if (!dtype.has_value()) {
        return absl::UnimplementedError(absl::StrCat(
            "graph ", kind, " '", spec.name, "' is ", std::string(graph::DTypeName(t.dtype)),
            ", which has no KServe data type: FP8, INT4 and INT48 tensors may only be inside a "
            "graph, not its inputs or outputs"));
      }
      if (*dtype != spec.dtype) {
        return absl::InvalidArgumentError(
            absl::StrCat(kind, " '", spec.name, "' is ", std::string(DataTypeName(spec.dtype)),
                         " but the graph's tensor is ", std::string(graph::DTypeName(t.dtype))));
      }
      if (batching && (t.shape.empty() || t.shape[0] != 1)) {
        return absl::UnimplementedError(absl::StrCat(
            "the CPU backend batches by running the graph once per item, so graph ", kind, " '",
            spec.name, "' needs a leading dimension of 1; its shape is ", ShapeToString(t.shape)));
      }
      port.graph_index = i;
      port.graph_shape = t.shape;
      port.item_bytes = executor.StorageBytes(graph_ids[i]);
    }
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat(kind, " '", spec.name, "' is not a ", kind, " of the graph"));
    }
    ports.push_back(std::move(port));
  }
  return ports;
}

// The config's `cpu_threads` parameter: threads per instance for the optimised kernels (the
// instance's own thread plus workers), 1 when absent.
absl::StatusOr<int> ThreadCount(const std::map<std::string, std::string>& parameters) {
  auto it = parameters.find(std::string(CpuBackend::kCpuThreadsParameter));
  if (it == parameters.end()) return 1;
  int threads = 0;
  if (!absl::SimpleAtoi(it->second, &threads) || threads < 1 ||
      threads > CpuBackend::kMaxCpuThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "parameter '", std::string(CpuBackend::kCpuThreadsParameter),
        "' must be an integer from 1 to ", CpuBackend::kMaxCpuThreads, "; got '", it->second, "'"));
  }
  return threads;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Executable>> CpuBackend::Load(const BackendLoadRequest& request) {
  // ModelVersionLoader prefixes load errors with the model and version, so they do not repeat it.
  if (request.graph == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", std::string(kName), " backend runs TOSA graphs; ",
                     request.model_path.filename().string(), " is not one"));
  }
  absl::StatusOr<int> threads = ThreadCount(request.parameters);
  if (!threads.ok()) return threads.status();
  absl::StatusOr<std::unique_ptr<GraphExecutor>> executor = GraphExecutor::Create(
      request.graph,
      GraphExecutorOptions{.threads = *threads, .packed_weights = PackedWeightsFor(request.graph)});
  if (!executor.ok()) return executor.status();
  const bool batching = request.max_batch_size > 0;
  const graph::Block& main = request.graph->main_block();
  auto inputs = MatchPorts(**executor, request.inputs, main.inputs, batching, "input");
  if (!inputs.ok()) return inputs.status();
  auto outputs = MatchPorts(**executor, request.outputs, main.outputs, batching, "output");
  if (!outputs.ok()) return outputs.status();
  // What an instance holds: the scaling report weighs a loaded model's memory against the planned
  // activations (benchmarks/scaling/).
  spdlog::info(
      "{}: model '{}' instance: {} bytes of planned activations, {} bytes of packed weights (one "
      "copy for all the model's instances), {} bytes of constants dropped after packing, {} kernel "
      "thread(s)",
      kName, request.model_name, (*executor)->arena_bytes(), (*executor)->packed_weight_bytes(),
      (*executor)->dropped_constant_bytes(), *threads);
  return std::make_unique<CpuExecutable>(request.model_name, *std::move(executor),
                                         *std::move(inputs), *std::move(outputs), batching);
}

std::shared_ptr<PackedWeights> CpuBackend::PackedWeightsFor(
    const std::shared_ptr<const graph::Graph>& graph) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::erase_if(packed_weights_, [](const GraphWeights& entry) {
    return entry.graph.expired() || entry.weights.expired();
  });
  for (const GraphWeights& entry : packed_weights_) {
    if (entry.graph.lock() != graph) continue;
    if (std::shared_ptr<PackedWeights> weights = entry.weights.lock()) return weights;
  }
  auto weights = std::make_shared<PackedWeights>();
  packed_weights_.push_back(GraphWeights{graph, weights});
  return weights;
}

}  // namespace inferd::cpu
