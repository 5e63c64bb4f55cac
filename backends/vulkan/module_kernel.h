// The compute pipeline of a shader a model brings: a VGF COMPUTE segment, carried through the
// graph as a compute-segment operator (engine/graph/vgf/compute_segment.h). GLSL sources are
// compiled here; the SPIR-V is checked (CheckComputeSpirv) before the driver sees it; the pipeline
// layout has the segment's descriptor sets (storage buffers, storage images and combined image
// samplers, with immutable samplers from the resource table, at the bindings it names; empty sets
// in the gaps) and one push-constant range covering what it declares, pushed as zeros (a VGF file
// declares push-constant ranges but carries no values for them). The shader runs with robust
// buffer access, so an access past a buffer's end stays inside that buffer: per pipeline
// (VK_EXT_pipeline_robustness), or device-wide where the operator turned robustBufferAccess on
// (--vulkan-robust-buffer-access); a device with neither refuses such models naming the flag.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/vulkan/vulkan_device.h"
#include "engine/graph/vgf/compute_segment.h"

namespace inferd::vulkan {

// The descriptor type a binding of `kind` has.
VkDescriptorType DescriptorTypeOf(graph::vgf::ComputeSegmentBinding::Kind kind);

class ModuleKernel {
 public:
  static absl::StatusOr<std::unique_ptr<ModuleKernel>> Create(
      std::shared_ptr<VulkanDevice> device, const graph::vgf::ComputeSegment& segment);
  ~ModuleKernel();
  ModuleKernel(const ModuleKernel&) = delete;
  ModuleKernel& operator=(const ModuleKernel&) = delete;

  VkPipeline pipeline() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }
  // The layout of set `set` (every set number below the highest bound one has a layout).
  VkDescriptorSetLayout set_layout(uint32_t set) const { return set_layouts_[set]; }
  // The set numbers the segment binds, ascending.
  const std::vector<uint32_t>& bound_sets() const { return bound_sets_; }
  uint32_t push_constant_bytes() const { return push_constant_bytes_; }
  const std::array<uint32_t, 3>& workgroups() const { return workgroups_; }

 private:
  explicit ModuleKernel(std::shared_ptr<VulkanDevice> device) : device_(std::move(device)) {}

  std::shared_ptr<VulkanDevice> device_;
  std::vector<VkDescriptorSetLayout> set_layouts_;
  std::vector<VkSampler> samplers_;  // immutable samplers of the sampled-image bindings
  std::vector<uint32_t> bound_sets_;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
  uint32_t push_constant_bytes_ = 0;
  std::array<uint32_t, 3> workgroups_ = {1, 1, 1};
};

}  // namespace inferd::vulkan
