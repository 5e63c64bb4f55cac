#include "backends/vulkan/module_kernel.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/vulkan/glsl_compiler.h"
#include "backends/vulkan/vulkan_status.h"
#include "engine/graph/vgf/compute_spirv.h"

namespace inferd::vulkan {
namespace {

using graph::vgf::ComputeSegmentBinding;

// The device must store or sample the binding's texel format with optimal tiling (linear
// filtering too, where the sampler asks for it).
absl::Status CheckImageFormat(const VulkanDevice& device, const ComputeSegmentBinding& binding,
                              const std::string& label) {
  VkFormatProperties properties;
  vkGetPhysicalDeviceFormatProperties(device.info().handle,
                                      static_cast<VkFormat>(binding.vk_format), &properties);
  VkFormatFeatureFlags needed = VK_FORMAT_FEATURE_TRANSFER_SRC_BIT |
                                VK_FORMAT_FEATURE_TRANSFER_DST_BIT |
                                VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT;
  if (binding.kind == ComputeSegmentBinding::Kind::kSampledImage) {
    needed = VK_FORMAT_FEATURE_TRANSFER_DST_BIT | VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT;
    if (binding.sampler.min_filter == VK_FILTER_LINEAR ||
        binding.sampler.mag_filter == VK_FILTER_LINEAR) {
      needed |= VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT;
    }
  }
  if ((properties.optimalTilingFeatures & needed) != needed) {
    return absl::UnimplementedError(absl::StrCat(
        label, ", set ", binding.set, " binding ", binding.binding, ": the device cannot ",
        binding.kind == ComputeSegmentBinding::Kind::kSampledImage ? "sample" : "store",
        " images of VkFormat ", binding.vk_format));
  }
  return absl::OkStatus();
}

// The sampler the resource table describes; its values are checked, since they come from the file.
absl::StatusOr<VkSampler> CreateSampler(VkDevice device, const graph::vgf::VgfSampler& config,
                                        const std::string& label) {
  const bool valid = config.min_filter <= VK_FILTER_LINEAR &&
                     config.mag_filter <= VK_FILTER_LINEAR &&
                     config.address_mode_u <= VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER &&
                     config.address_mode_v <= VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER &&
                     config.border_color <= VK_BORDER_COLOR_INT_OPAQUE_WHITE;
  if (!valid) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, " has a sampler with filters ", config.min_filter, "/",
                     config.mag_filter, ", address modes ", config.address_mode_u, "/",
                     config.address_mode_v, " and border colour ", config.border_color,
                     "; inferd takes NEAREST or LINEAR filters, address modes up to "
                     "CLAMP_TO_BORDER and the core border colours"));
  }
  auto info = VkStruct<VkSamplerCreateInfo>(VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO);
  info.magFilter = static_cast<VkFilter>(config.mag_filter);
  info.minFilter = static_cast<VkFilter>(config.min_filter);
  info.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST;
  info.addressModeU = static_cast<VkSamplerAddressMode>(config.address_mode_u);
  info.addressModeV = static_cast<VkSamplerAddressMode>(config.address_mode_v);
  info.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  info.borderColor = static_cast<VkBorderColor>(config.border_color);
  VkSampler sampler = VK_NULL_HANDLE;
  if (auto status = VkStatus(vkCreateSampler(device, &info, nullptr, &sampler), "vkCreateSampler");
      !status.ok()) {
    return status;
  }
  return sampler;
}

}  // namespace

VkDescriptorType DescriptorTypeOf(ComputeSegmentBinding::Kind kind) {
  switch (kind) {
    case ComputeSegmentBinding::Kind::kStorageImage:
      return VK_DESCRIPTOR_TYPE_STORAGE_IMAGE;
    case ComputeSegmentBinding::Kind::kSampledImage:
      return VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    case ComputeSegmentBinding::Kind::kStorageBuffer:
      break;
  }
  return VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

absl::StatusOr<std::unique_ptr<ModuleKernel>> ModuleKernel::Create(
    std::shared_ptr<VulkanDevice> device, const graph::vgf::ComputeSegment& segment) {
  const std::string label = absl::StrCat("compute segment '", segment.name, "'");
  if (!device->contains_model_shaders()) {
    return absl::FailedPreconditionError(absl::StrCat(
        label,
        " is the model's own shader, which runs only where its memory accesses are kept "
        "inside its buffers: this device has no VK_EXT_pipeline_robustness; start inferd "
        "with --vulkan-robust-buffer-access to turn on robust buffer access for all its "
        "shaders (docs/vulkan.md)"));
  }
  const VkPhysicalDeviceLimits& limits = device->limits();
  for (int d = 0; d < 3; ++d) {
    if (segment.workgroups[d] == 0 || segment.workgroups[d] > limits.maxComputeWorkGroupCount[d]) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, " dispatches ", segment.workgroups[d], " workgroups in dimension ", d,
                       "; the device takes 1 to ", limits.maxComputeWorkGroupCount[d]));
    }
  }
  if (segment.push_constant_bytes > limits.maxPushConstantsSize) {
    return absl::InvalidArgumentError(absl::StrCat(label, " declares ", segment.push_constant_bytes,
                                                   " bytes of push constants; the device takes ",
                                                   limits.maxPushConstantsSize));
  }

  // A GLSL source's entry point is its main(), whatever name the module gives.
  graph::vgf::ComputeSegment checked = segment;
  if (segment.code == graph::vgf::ComputeSegment::Code::kGlsl) {
    auto spirv = CompileComputeGlsl(segment.glsl, segment.name);
    if (!spirv.ok()) return spirv.status();
    checked.spirv = *std::move(spirv);
    checked.entry_point = "main";
  }
  const std::span<const uint32_t> words = checked.spirv;
  if (auto status =
          graph::vgf::CheckComputeSpirv(words, checked, {.int64 = device->info().shader_int64});
      !status.ok()) {
    return status;
  }

  std::unique_ptr<ModuleKernel> kernel(new ModuleKernel(device));
  kernel->workgroups_ = segment.workgroups;
  kernel->push_constant_bytes_ = (segment.push_constant_bytes + 3) / 4 * 4;
  const VkDevice handle = device->handle();

  using Kind = graph::vgf::ComputeSegmentBinding::Kind;
  std::map<uint32_t, std::vector<VkDescriptorSetLayoutBinding>> sets;
  // Immutable samplers live as long as the kernel; the layouts point at them.
  kernel->samplers_.reserve(segment.bindings.size());
  for (const graph::vgf::ComputeSegmentBinding& b : segment.bindings) {
    VkDescriptorSetLayoutBinding binding{};
    binding.binding = b.binding;
    binding.descriptorCount = 1;
    binding.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    binding.descriptorType = DescriptorTypeOf(b.kind);
    if (b.kind != Kind::kStorageBuffer) {
      if (auto status = CheckImageFormat(*device, b, label); !status.ok()) return status;
    }
    if (b.kind == Kind::kSampledImage) {
      auto sampler = CreateSampler(handle, b.sampler, label);
      if (!sampler.ok()) return sampler.status();
      kernel->samplers_.push_back(*sampler);
      binding.pImmutableSamplers = &kernel->samplers_.back();
    }
    sets[b.set].push_back(binding);
  }
  const uint32_t set_count = sets.empty() ? 0 : sets.rbegin()->first + 1;
  if (set_count > limits.maxBoundDescriptorSets) {
    return absl::InvalidArgumentError(absl::StrCat(label, " binds descriptor set ", set_count - 1,
                                                   "; the device has ",
                                                   limits.maxBoundDescriptorSets, " sets"));
  }
  for (uint32_t set = 0; set < set_count; ++set) {
    auto it = sets.find(set);
    auto info = VkStruct<VkDescriptorSetLayoutCreateInfo>(
        VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
    if (it != sets.end()) {
      info.bindingCount = static_cast<uint32_t>(it->second.size());
      info.pBindings = it->second.data();
      kernel->bound_sets_.push_back(set);
    }
    VkDescriptorSetLayout layout = VK_NULL_HANDLE;
    if (auto status = VkStatus(vkCreateDescriptorSetLayout(handle, &info, nullptr, &layout),
                               "vkCreateDescriptorSetLayout");
        !status.ok()) {
      return status;
    }
    kernel->set_layouts_.push_back(layout);
  }

  const VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, kernel->push_constant_bytes_};
  auto layout_info =
      VkStruct<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  layout_info.setLayoutCount = set_count;
  layout_info.pSetLayouts = kernel->set_layouts_.data();
  layout_info.pushConstantRangeCount = kernel->push_constant_bytes_ > 0 ? 1 : 0;
  layout_info.pPushConstantRanges = &range;
  if (auto status =
          VkStatus(vkCreatePipelineLayout(handle, &layout_info, nullptr, &kernel->layout_),
                   "vkCreatePipelineLayout");
      !status.ok()) {
    return status;
  }

  auto module_info =
      VkStruct<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  module_info.codeSize = words.size() * sizeof(uint32_t);
  module_info.pCode = words.data();
  VkShaderModule module = VK_NULL_HANDLE;
  if (auto status = VkStatus(vkCreateShaderModule(handle, &module_info, nullptr, &module),
                             "vkCreateShaderModule");
      !status.ok()) {
    return status;
  }
  auto robustness = VkStruct<VkPipelineRobustnessCreateInfoEXT>(
      VK_STRUCTURE_TYPE_PIPELINE_ROBUSTNESS_CREATE_INFO_EXT);
  robustness.storageBuffers = VK_PIPELINE_ROBUSTNESS_BUFFER_BEHAVIOR_ROBUST_BUFFER_ACCESS_EXT;
  robustness.uniformBuffers = VK_PIPELINE_ROBUSTNESS_BUFFER_BEHAVIOR_ROBUST_BUFFER_ACCESS_EXT;
  robustness.vertexInputs = VK_PIPELINE_ROBUSTNESS_BUFFER_BEHAVIOR_DEVICE_DEFAULT_EXT;
  robustness.images = VK_PIPELINE_ROBUSTNESS_IMAGE_BEHAVIOR_DEVICE_DEFAULT_EXT;
  // Per pipeline where the device can; else the device's robustBufferAccess covers it.
  auto pipeline_info =
      VkStruct<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
                                            device->pipeline_robustness() ? &robustness : nullptr);
  pipeline_info.stage = VkStruct<VkPipelineShaderStageCreateInfo>(
      VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
  pipeline_info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipeline_info.stage.module = module;
  pipeline_info.stage.pName = checked.entry_point.c_str();
  pipeline_info.layout = kernel->layout_;
  const absl::Status created =
      VkStatus(vkCreateComputePipelines(handle, VK_NULL_HANDLE, 1, &pipeline_info, nullptr,
                                        &kernel->pipeline_),
               "vkCreateComputePipelines");
  vkDestroyShaderModule(handle, module, nullptr);
  if (!created.ok()) {
    return absl::Status(created.code(), absl::StrCat(label, ": ", created.message()));
  }
  return kernel;
}

ModuleKernel::~ModuleKernel() {
  const VkDevice handle = device_->handle();
  if (pipeline_ != VK_NULL_HANDLE) vkDestroyPipeline(handle, pipeline_, nullptr);
  if (layout_ != VK_NULL_HANDLE) vkDestroyPipelineLayout(handle, layout_, nullptr);
  for (VkDescriptorSetLayout layout : set_layouts_) {
    vkDestroyDescriptorSetLayout(handle, layout, nullptr);
  }
  for (VkSampler sampler : samplers_) vkDestroySampler(handle, sampler, nullptr);
}

}  // namespace inferd::vulkan
