// The "tosa_cpu" backend: runs validated TOSA 1.0 graphs on the CPU reference kernels.
//
// Each instance owns a GraphExecutor (kernels bound and memory planned at load); the instances of
// one model version share the weights packed for the optimised kernels. Execute runs on
// the caller's thread and completes before it returns. A model that batches (max_batch_size > 0)
// must have graph inputs and outputs whose leading dimension is 1; the graph then runs once per
// batch item. The config parameter `cpu_threads` (default 1) sets how many threads the optimised
// kernels of one instance split each operator over.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/cpu/packed_weights.h"
#include "engine/backend.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

class CpuBackend : public Backend {
 public:
  static constexpr std::string_view kName = "tosa_cpu";
  // parameters { key: "cpu_threads" value: { string_value: "2" } }, 1 to kMaxCpuThreads.
  static constexpr std::string_view kCpuThreadsParameter = "cpu_threads";
  static constexpr int kMaxCpuThreads = 64;

  std::string_view name() const override { return kName; }
  std::string_view default_model_filename() const override { return "model.tosa"; }

  // Fails with UNIMPLEMENTED naming the operator and its types when a kernel is missing, with
  // INVALID_ARGUMENT when the request is not a TOSA graph, its tensors do not match the graph, or
  // cpu_threads is not an integer in range.
  absl::StatusOr<std::unique_ptr<Executable>> Load(const BackendLoadRequest& request) override;

 private:
  // The store of packed weights for `graph`: the one its earlier instances use while the graph is
  // alive (a model version's instances are loaded from one graph), else a new one.
  std::shared_ptr<PackedWeights> PackedWeightsFor(const std::shared_ptr<const graph::Graph>& graph);

  struct GraphWeights {
    std::weak_ptr<const graph::Graph> graph;
    std::weak_ptr<PackedWeights> weights;  // owned by the instances' executors
  };
  std::mutex mutex_;  // models load on several threads
  std::vector<GraphWeights> packed_weights_;
};

}  // namespace inferd::cpu
