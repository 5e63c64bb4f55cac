// The "tosa_vulkan" backend: runs validated TOSA 1.0 graphs as compute shaders on a Vulkan 1.3
// device (any vendor's driver; Mesa's lavapipe on machines without a GPU).
//
// Placement follows Triton's instance_group: `gpus: [ ... ]` puts `count` instances on each listed
// device (indices among the devices --vulkan-device-filter leaves visible); without `gpus`, the
// first usable device that is not a CPU implementation, else lavapipe. Each instance owns a
// GraphProgram; Execute submits and returns, and the batch completes on the device's completion
// thread. A model that batches (max_batch_size > 0) needs graph inputs and outputs with a leading
// dimension of 1. A batch runs as the batch passes that fit it (the graph widened to
// max_batch_size, a preferred batch size or a power of two below max_batch_size, one run for all
// its items; batch_plan.h), the items left as runs of the graph one item each, all submitted at
// once.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "backends/vulkan/vulkan_context.h"
#include "engine/backend.h"

namespace inferd::vulkan {

class VulkanBackend : public Backend {
 public:
  static constexpr std::string_view kName = "tosa_vulkan";
  // config.pbtxt parameter: "true" times every operator on the GPU for inferctl profile.
  static constexpr std::string_view kOperatorTimingParameter = "gpu_operator_timing";
  // config.pbtxt parameter: "false" runs every batch item by item; by default, where the graph
  // allows, a batch runs as passes over the graph widened to max_batch_size, the preferred batch
  // sizes and the powers of two below max_batch_size (engine/graph/batched_graph.h,
  // batch_plan.h), the items left item by item.
  static constexpr std::string_view kBatchPassParameter = "gpu_batch_pass";

  explicit VulkanBackend(VulkanContextOptions options = {}) : options_(std::move(options)) {}

  std::string_view name() const override { return kName; }
  std::string_view default_model_filename() const override { return "model.tosa"; }

  // UNAVAILABLE when there is no Vulkan device; UNIMPLEMENTED naming the operator, type or device
  // feature the backend lacks; INVALID_ARGUMENT when the request does not match the graph or
  // names a device that is not visible; RESOURCE_EXHAUSTED when the device is out of memory.
  absl::StatusOr<std::unique_ptr<Executable>> Load(const BackendLoadRequest& request) override;

 private:
  VulkanContextOptions options_;
};

}  // namespace inferd::vulkan
