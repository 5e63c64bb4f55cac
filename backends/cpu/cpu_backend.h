// The "tosa_cpu" backend: runs validated TOSA 1.0 graphs on the CPU reference kernels.
//
// Each instance owns a GraphExecutor (kernels bound and memory planned at load). Execute runs on
// the caller's thread and completes before it returns. A model that batches (max_batch_size > 0)
// must have graph inputs and outputs whose leading dimension is 1; the graph then runs once per
// batch item. The config parameter `cpu_threads` (default 1) sets how many threads the optimised
// kernels of one instance split each operator over.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/backend.h"

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
};

}  // namespace inferd::cpu
