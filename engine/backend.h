// Backend and Executable: the seam between the engine and whatever runs a model (CPU kernels, a
// Vulkan device, an Ethos-U target reached over a wire).
//
// A Backend turns a model version (its config, file bytes and, for TOSA, the validated graph) into
// an Executable. An Executable runs one batch at a time per instance and completes through a
// callback, which may come on another thread, much later (a remote target), or never succeed (the
// target vanished): the interface is shaped for that remote case so that local backends fit it
// trivially.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/cancellation.h"
#include "engine/data_type.h"
#include "engine/operator_profile.h"
#include "engine/shape.h"
#include "engine/tensor.h"

namespace inferd {
namespace graph {
class Graph;
}

// A model input or output as the model declares it. With batching, `dims` excludes the batch
// dimension.
struct TensorSpec {
  std::string name;
  DataType dtype = DataType::kInvalid;
  Shape dims;
};

// Everything a backend needs to prepare one instance of one model version.
struct BackendLoadRequest {
  std::string model_name;
  int64_t version = 0;
  std::filesystem::path model_path;  // the model file inside <repository>/<model>/<version>/
  std::shared_ptr<const std::vector<uint8_t>> model_bytes;
  std::shared_ptr<const graph::Graph> graph;  // validated TOSA graph; null for other formats
  int max_batch_size = 0;                     // 0: the model does not batch
  // dynamic_batching's preferred_batch_size values (each in 1..max_batch_size): the batch sizes
  // the scheduler aims for, which a backend may prepare for (tosa_vulkan's batch passes).
  std::vector<int> preferred_batch_sizes;
  std::vector<TensorSpec> inputs;                 // in the order Execute receives them
  std::vector<TensorSpec> outputs;                // in the order Execute must return them
  std::map<std::string, std::string> parameters;  // the config's `parameters`
  int instance_index = 0;                         // which of the config's `count` instances this is
  // The device the instance_group places this instance on (an entry of its `gpus`); nullopt when
  // the group names none and the backend chooses. Backends without devices ignore it.
  std::optional<int> device_index;
};

// One batch for an Executable: the requests' inputs concatenated along the batch dimension.
struct Batch {
  std::vector<Tensor> inputs;  // one per BackendLoadRequest::inputs, same order
  int64_t batch_size = 1;      // 1 for a model that does not batch
  std::shared_ptr<CancellationToken> cancellation;  // never null
  absl::Time deadline = absl::InfiniteFuture();
};

// What a finished batch hands back.
struct BatchResult {
  std::vector<Tensor> outputs;  // one per BackendLoadRequest::outputs, same order, batch dim first
  // Values the backend reports with the response (e.g. "npu_cycles", "target"), per batch.
  std::map<std::string, std::string> parameters;
  // Time spent preparing inputs / running / extracting outputs, for statistics. Zero when not
  // separable.
  absl::Duration compute_input;
  absl::Duration compute_infer;
  absl::Duration compute_output;
};

using BatchCallback = std::function<void(absl::StatusOr<BatchResult>)>;

class Executable {
 public:
  virtual ~Executable() = default;

  // Runs `batch` and calls `done` exactly once: on any thread, before or after Execute returns. The
  // caller submits at most one batch at a time to one Executable. An error status names the model
  // and what failed; a cancelled batch completes with absl::CancelledError.
  virtual void Execute(Batch batch, BatchCallback done) = 0;

  // True when Execute always calls `done` before it returns and takes little time: the scheduler
  // may then run a batch on the thread that submitted the request instead of handing it to a
  // worker, which saves two thread switches per request. Remote backends keep the default.
  virtual bool CompletesInline() const { return false; }

  // Time per operator since load, for backends that run a graph operator by operator; empty for
  // those that cannot see operators (a remote target runs the network as one job). Safe to call
  // while a batch runs: the figures are then a moment's snapshot.
  virtual std::vector<OperatorTiming> OperatorProfile() const { return {}; }

  // OK while the instance can run batches; otherwise why it cannot, for good (its GPU was lost):
  // the model version is then reported UNAVAILABLE with this reason and new requests are refused
  // before they queue, while the rest of the daemon serves on. Cheap: asked on every lookup.
  virtual absl::Status Health() const { return absl::OkStatus(); }
};

class Backend {
 public:
  virtual ~Backend() = default;

  // The name a config.pbtxt selects with `backend: "..."`.
  virtual std::string_view name() const = 0;

  // The file name looked for in a version folder when the config names none (e.g. "model.tosa").
  virtual std::string_view default_model_filename() const = 0;

  // Prepares one instance. An op or feature the backend lacks fails here (UNIMPLEMENTED, naming
  // it), never at inference.
  virtual absl::StatusOr<std::unique_ptr<Executable>> Load(const BackendLoadRequest& request) = 0;
};

}  // namespace inferd
