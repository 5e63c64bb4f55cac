#include "backends/vulkan/vulkan_device.h"

#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/vulkan/constant_store.h"
#include "backends/vulkan/pipeline_cache_file.h"
#include "backends/vulkan/shader_library.h"
#include "backends/vulkan/vulkan_status.h"
#include "spdlog/spdlog.h"

namespace inferd::vulkan {
namespace {

// How long one wait of the completion thread lasts before it looks at `stopping_` again.
constexpr uint64_t kCompletionWaitNanoseconds = 100'000'000;

bool HasDeviceExtension(VkPhysicalDevice device, const char* name) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data());
  for (const VkExtensionProperties& extension : extensions) {
    if (std::strcmp(extension.extensionName, name) == 0) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<VkCommandBuffer> AllocateCommandBuffer(VkDevice device, VkCommandPool pool) {
  auto allocate =
      VkStruct<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  allocate.commandPool = pool;
  allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocate.commandBufferCount = 1;
  VkCommandBuffer command_buffer = VK_NULL_HANDLE;
  if (auto status = VkStatus(vkAllocateCommandBuffers(device, &allocate, &command_buffer),
                             "vkAllocateCommandBuffers");
      !status.ok()) {
    return status;
  }
  return command_buffer;
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this == &other) return *this;
  Release();
  device_ = std::exchange(other.device_, nullptr);
  buffer_ = std::exchange(other.buffer_, VK_NULL_HANDLE);
  memory_ = std::exchange(other.memory_, VK_NULL_HANDLE);
  size_ = std::exchange(other.size_, 0);
  mapped_ = std::exchange(other.mapped_, nullptr);
  return *this;
}

void DeviceBuffer::Release() {
  if (device_ == nullptr) return;
  if (buffer_ != VK_NULL_HANDLE) vkDestroyBuffer(device_->handle(), buffer_, nullptr);
  if (memory_ != VK_NULL_HANDLE) {
    vkFreeMemory(device_->handle(), memory_, nullptr);
    device_->allocated_bytes_ -= size_;
  }
  device_ = nullptr;
  buffer_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  mapped_ = nullptr;
  size_ = 0;
}

DeviceImage& DeviceImage::operator=(DeviceImage&& other) noexcept {
  if (this != &other) {
    Release();
    device_ = std::exchange(other.device_, nullptr);
    image_ = std::exchange(other.image_, VK_NULL_HANDLE);
    view_ = std::exchange(other.view_, VK_NULL_HANDLE);
    memory_ = std::exchange(other.memory_, VK_NULL_HANDLE);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void DeviceImage::Release() {
  if (device_ == nullptr) return;
  if (view_ != VK_NULL_HANDLE) vkDestroyImageView(device_->handle(), view_, nullptr);
  if (image_ != VK_NULL_HANDLE) vkDestroyImage(device_->handle(), image_, nullptr);
  if (memory_ != VK_NULL_HANDLE) {
    vkFreeMemory(device_->handle(), memory_, nullptr);
    device_->allocated_bytes_ -= size_;
  }
  device_ = nullptr;
  image_ = VK_NULL_HANDLE;
  view_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  size_ = 0;
}

absl::StatusOr<std::shared_ptr<VulkanDevice>> VulkanDevice::Create(
    const PhysicalDeviceInfo& info, const std::string& pipeline_cache_dir,
    bool robust_buffer_access) {
  std::shared_ptr<VulkanDevice> device(new VulkanDevice(info));
  if (absl::Status status = device->Initialise(pipeline_cache_dir, robust_buffer_access);
      !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("Vulkan device ", info.index, " (", info.name,
                                                    "): ", status.message()));
  }
  return device;
}

absl::Status VulkanDevice::Initialise(const std::string& pipeline_cache_dir,
                                      bool robust_buffer_access) {
  uint32_t family_count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(info_.handle, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  vkGetPhysicalDeviceQueueFamilyProperties(info_.handle, &family_count, families.data());
  // Prefer a compute-only family (an asynchronous compute queue on discrete GPUs).
  bool found = false;
  for (uint32_t i = 0; i < family_count; ++i) {
    if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) == 0) continue;
    const bool compute_only = (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) == 0;
    if (!found || compute_only) {
      queue_family_ = i;
      found = true;
      if (compute_only) break;
    }
  }
  if (!found) return absl::UnimplementedError("no compute queue");
  timestamp_valid_bits_ = families[queue_family_].timestampValidBits;

  const float priority = 1.0f;
  auto queue_info = VkStruct<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
  queue_info.queueFamilyIndex = queue_family_;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;

  // int8 dot products for the tiled INT8 MATMUL (matmul_tiled.comp), where the device has them.
  auto features13 = VkStruct<VkPhysicalDeviceVulkan13Features>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES);
  features13.shaderIntegerDotProduct = info_.integer_dot_product ? VK_TRUE : VK_FALSE;
  auto features12 = VkStruct<VkPhysicalDeviceVulkan12Features>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES, &features13);
  features12.shaderInt8 = VK_TRUE;
  features12.storageBuffer8BitAccess = VK_TRUE;
  features12.timelineSemaphore = VK_TRUE;
  auto features11 = VkStruct<VkPhysicalDeviceVulkan11Features>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES, &features12);
  features11.storageBuffer16BitAccess = VK_TRUE;
  // Per-pipeline robust buffer access, for the shaders a model brings (module_kernel.h): their
  // out-of-range accesses stay inside their own buffers while inferd's shaders keep full speed.
  auto robustness = VkStruct<VkPhysicalDevicePipelineRobustnessFeaturesEXT>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PIPELINE_ROBUSTNESS_FEATURES_EXT);
  std::vector<const char*> extensions;
  if (HasDeviceExtension(info_.handle, VK_EXT_PIPELINE_ROBUSTNESS_EXTENSION_NAME)) {
    auto query = VkStruct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                                     &robustness);
    vkGetPhysicalDeviceFeatures2(info_.handle, &query);
    robustness.pNext = nullptr;
    if (robustness.pipelineRobustness == VK_TRUE) {
      extensions.push_back(VK_EXT_PIPELINE_ROBUSTNESS_EXTENSION_NAME);
      features13.pNext = &robustness;
      pipeline_robustness_ = true;
    }
  }
  auto features = VkStruct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                                      &features11);
  features.features.shaderInt16 = VK_TRUE;
  features.features.shaderInt64 = info_.shader_int64 ? VK_TRUE : VK_FALSE;
  // Every device supports robustBufferAccess (Vulkan requires it); it costs every shader some
  // speed, so only an operator who wants models' own shaders on a device without per-pipeline
  // robustness turns it on.
  if (robust_buffer_access && !pipeline_robustness_) {
    features.features.robustBufferAccess = VK_TRUE;
    robust_buffer_access_ = true;
  }

  auto create = VkStruct<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, &features);
  create.queueCreateInfoCount = 1;
  create.pQueueCreateInfos = &queue_info;
  create.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  create.ppEnabledExtensionNames = extensions.empty() ? nullptr : extensions.data();
  if (auto status =
          VkStatus(vkCreateDevice(info_.handle, &create, nullptr, &device_), "vkCreateDevice");
      !status.ok()) {
    return status;
  }
  vkGetDeviceQueue(device_, queue_family_, 0, &queue_);
  spdlog::info("Vulkan device {} ({}): models' own compute shaders (VGF COMPUTE segments) {}",
               info_.index, info_.name,
               pipeline_robustness_ ? "run with robust buffer access per pipeline"
               : robust_buffer_access_
                   ? "run; robust buffer access is on for every shader "
                     "(--vulkan-robust-buffer-access)"
                   : "are refused: no VK_EXT_pipeline_robustness (--vulkan-robust-buffer-access "
                     "allows them)");
  vkGetPhysicalDeviceMemoryProperties(info_.handle, &memory_properties_);
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(info_.handle, &properties);
  timestamp_period_ns_ = properties.limits.timestampPeriod;
  limits_ = properties.limits;
  // Tensors start at offsets that suit a storage buffer and a texel buffer alike.
  storage_alignment_ =
      std::max<VkDeviceSize>({properties.limits.minStorageBufferOffsetAlignment,
                              properties.limits.minTexelBufferOffsetAlignment, 16});

  auto timeline_type =
      VkStruct<VkSemaphoreTypeCreateInfo>(VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO);
  timeline_type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  timeline_type.initialValue = 0;
  auto semaphore =
      VkStruct<VkSemaphoreCreateInfo>(VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &timeline_type);
  if (auto status = VkStatus(vkCreateSemaphore(device_, &semaphore, nullptr, &timeline_),
                             "vkCreateSemaphore (timeline)");
      !status.ok()) {
    return status;
  }
  const std::vector<uint8_t> initial_cache =
      InitialPipelineCacheData(pipeline_cache_dir, properties);
  auto cache = VkStruct<VkPipelineCacheCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO);
  cache.initialDataSize = initial_cache.size();
  cache.pInitialData = initial_cache.empty() ? nullptr : initial_cache.data();
  if (auto status = VkStatus(vkCreatePipelineCache(device_, &cache, nullptr, &pipeline_cache_),
                             "vkCreatePipelineCache");
      !status.ok()) {
    return status;
  }
  auto pool = VkStruct<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool.queueFamilyIndex = queue_family_;
  if (auto status = VkStatus(vkCreateCommandPool(device_, &pool, nullptr, &upload_pool_),
                             "vkCreateCommandPool");
      !status.ok()) {
    return status;
  }
  auto fence = VkStruct<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
  if (auto status =
          VkStatus(vkCreateFence(device_, &fence, nullptr, &wait_fence_), "vkCreateFence");
      !status.ok()) {
    return status;
  }
  completion_thread_ = std::thread([this] { CompletionLoop(); });
  return absl::OkStatus();
}

std::vector<uint8_t> VulkanDevice::InitialPipelineCacheData(
    const std::string& pipeline_cache_dir, const VkPhysicalDeviceProperties& properties) {
  if (pipeline_cache_dir.empty()) return {};
  PipelineCacheIdentity identity;
  identity.vendor_id = properties.vendorID;
  identity.device_id = properties.deviceID;
  std::memcpy(identity.cache_uuid.data(), properties.pipelineCacheUUID, VK_UUID_SIZE);
  pipeline_cache_path_ =
      (std::filesystem::path(pipeline_cache_dir) / PipelineCacheFileName(identity)).string();
  absl::StatusOr<std::vector<uint8_t>> data = ReadPipelineCacheFile(pipeline_cache_path_, identity);
  if (!data.ok()) {
    spdlog::warn("Vulkan device {} ({}): starting an empty pipeline cache: {}", info_.index,
                 info_.name, std::string(data.status().message()));
    return {};
  }
  if (data->empty()) {
    spdlog::info("Vulkan device {} ({}): no pipeline cache yet; it will be written to {}",
                 info_.index, info_.name, pipeline_cache_path_);
  } else {
    spdlog::info("Vulkan device {} ({}): pipeline cache of {} bytes read from {}", info_.index,
                 info_.name, data->size(), pipeline_cache_path_);
  }
  return *std::move(data);
}

absl::Status VulkanDevice::SavePipelineCache() {
  if (pipeline_cache_path_.empty()) return absl::OkStatus();
  absl::MutexLock save(&cache_file_mutex_);
  size_t kernels = 0;
  {
    absl::MutexLock lock(&mutex_);
    kernels = kernels_.size();
  }
  if (kernels == kernels_saved_) return absl::OkStatus();
  // The cache may grow between the two calls (another model's load): VK_INCOMPLETE, ask again.
  std::vector<uint8_t> data;
  for (int attempt = 0; attempt < 4; ++attempt) {
    size_t size = 0;
    if (auto status = VkStatus(vkGetPipelineCacheData(device_, pipeline_cache_, &size, nullptr),
                               "vkGetPipelineCacheData");
        !status.ok()) {
      return status;
    }
    data.resize(size);
    const VkResult result = vkGetPipelineCacheData(device_, pipeline_cache_, &size, data.data());
    if (result == VK_INCOMPLETE) continue;
    if (auto status = VkStatus(result, "vkGetPipelineCacheData"); !status.ok()) return status;
    data.resize(size);
    if (auto status = WritePipelineCacheFile(pipeline_cache_path_, data); !status.ok()) {
      return status;
    }
    kernels_saved_ = kernels;
    return absl::OkStatus();
  }
  return absl::UnavailableError("the pipeline cache kept growing while it was read");
}

VulkanDevice::VulkanDevice(const PhysicalDeviceInfo& info)
    : info_(info), constants_(std::make_unique<ConstantStore>()) {}

VulkanDevice::~VulkanDevice() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (completion_thread_.joinable()) {
    // The last reference may be dropped by a completion callback, on the completion thread.
    if (completion_thread_.get_id() == std::this_thread::get_id()) {
      completion_thread_.detach();
    } else {
      completion_thread_.join();
    }
  }
  if (device_ == VK_NULL_HANDLE) return;
  vkDeviceWaitIdle(device_);
  for (auto& [name, kernel] : kernels_) {
    vkDestroyPipeline(device_, kernel.pipeline, nullptr);
    vkDestroyPipelineLayout(device_, kernel.layout, nullptr);
    vkDestroyDescriptorSetLayout(device_, kernel.set_layout, nullptr);
  }
  if (upload_pool_ != VK_NULL_HANDLE) vkDestroyCommandPool(device_, upload_pool_, nullptr);
  if (wait_fence_ != VK_NULL_HANDLE) vkDestroyFence(device_, wait_fence_, nullptr);
  if (pipeline_cache_ != VK_NULL_HANDLE) vkDestroyPipelineCache(device_, pipeline_cache_, nullptr);
  if (timeline_ != VK_NULL_HANDLE) vkDestroySemaphore(device_, timeline_, nullptr);
  vkDestroyDevice(device_, nullptr);
}

absl::StatusOr<DeviceBuffer> VulkanDevice::CreateBuffer(VkDeviceSize size, bool host_visible,
                                                        const std::string& what) {
  DeviceBuffer buffer;
  buffer.device_ = this;
  buffer.size_ = 0;
  auto create = VkStruct<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
  create.size = std::max<VkDeviceSize>(size, 16);
  create.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                 VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  create.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  if (auto status = VkStatus(vkCreateBuffer(device_, &create, nullptr, &buffer.buffer_),
                             absl::StrCat("vkCreateBuffer for ", what));
      !status.ok()) {
    return status;
  }
  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(device_, buffer.buffer_, &requirements);
  const VkMemoryPropertyFlags wanted =
      host_visible ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                   : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  absl::StatusOr<VkDeviceMemory> memory = Allocate(requirements, wanted, what);
  if (!memory.ok()) return memory.status();
  buffer.memory_ = *memory;
  buffer.size_ = requirements.size;
  if (auto status = VkStatus(vkBindBufferMemory(device_, buffer.buffer_, buffer.memory_, 0),
                             "vkBindBufferMemory");
      !status.ok()) {
    return status;
  }
  if (host_visible) {
    void* mapped = nullptr;
    if (auto status = VkStatus(vkMapMemory(device_, buffer.memory_, 0, VK_WHOLE_SIZE, 0, &mapped),
                               absl::StrCat("mapping ", what));
        !status.ok()) {
      return status;
    }
    buffer.mapped_ = static_cast<uint8_t*>(mapped);
  }
  return buffer;
}

absl::StatusOr<VkDeviceMemory> VulkanDevice::Allocate(const VkMemoryRequirements& requirements,
                                                      VkMemoryPropertyFlags wanted,
                                                      const std::string& what) {
  uint32_t type = UINT32_MAX;
  for (uint32_t i = 0; i < memory_properties_.memoryTypeCount; ++i) {
    if ((requirements.memoryTypeBits & (1u << i)) == 0) continue;
    if ((memory_properties_.memoryTypes[i].propertyFlags & wanted) == wanted) {
      type = i;
      break;
    }
  }
  if (type == UINT32_MAX) {
    return absl::UnimplementedError(absl::StrCat(
        "no ",
        (wanted & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0 ? "host-visible" : "device-local",
        " memory type for ", what));
  }
  auto allocate = VkStruct<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
  allocate.allocationSize = requirements.size;
  allocate.memoryTypeIndex = type;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  if (auto status = VkStatus(vkAllocateMemory(device_, &allocate, nullptr, &memory),
                             absl::StrCat("allocating ", requirements.size, " bytes for ", what));
      !status.ok()) {
    return status;
  }
  allocated_bytes_ += requirements.size;
  return memory;
}

absl::StatusOr<DeviceImage> VulkanDevice::CreateImage(VkFormat format, uint32_t width,
                                                      uint32_t height, const std::string& what) {
  DeviceImage image;
  image.device_ = this;
  auto create = VkStruct<VkImageCreateInfo>(VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO);
  create.imageType = VK_IMAGE_TYPE_2D;
  create.format = format;
  create.extent = VkExtent3D{width, height, 1};
  create.mipLevels = 1;
  create.arrayLayers = 1;
  create.samples = VK_SAMPLE_COUNT_1_BIT;
  create.tiling = VK_IMAGE_TILING_OPTIMAL;
  create.usage = VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT |
                 VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  create.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  create.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  if (auto status = VkStatus(vkCreateImage(device_, &create, nullptr, &image.image_),
                             absl::StrCat("vkCreateImage for ", what));
      !status.ok()) {
    return status;
  }
  VkMemoryRequirements requirements;
  vkGetImageMemoryRequirements(device_, image.image_, &requirements);
  absl::StatusOr<VkDeviceMemory> memory =
      Allocate(requirements, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, what);
  if (!memory.ok()) return memory.status();
  image.memory_ = *memory;
  image.size_ = requirements.size;
  if (auto status =
          VkStatus(vkBindImageMemory(device_, image.image_, image.memory_, 0), "vkBindImageMemory");
      !status.ok()) {
    return status;
  }
  auto view = VkStruct<VkImageViewCreateInfo>(VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO);
  view.image = image.image_;
  view.viewType = VK_IMAGE_VIEW_TYPE_2D;
  view.format = format;
  view.subresourceRange = VkImageSubresourceRange{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  if (auto status = VkStatus(vkCreateImageView(device_, &view, nullptr, &image.view_),
                             absl::StrCat("vkCreateImageView for ", what));
      !status.ok()) {
    return status;
  }
  return image;
}

absl::StatusOr<const ComputeKernel*> VulkanDevice::Kernel(
    const std::string& shader, const std::vector<VkDescriptorType>& binding_types,
    uint32_t push_constant_bytes) {
  const auto bindings = static_cast<uint32_t>(binding_types.size());
  absl::MutexLock lock(&mutex_);
  if (auto it = kernels_.find(shader); it != kernels_.end()) return &it->second;
  const std::span<const uint32_t> code = FindShader(shader);
  if (code.empty()) return absl::InternalError(absl::StrCat("no embedded shader '", shader, "'"));

  ComputeKernel kernel;
  kernel.bindings = bindings;
  kernel.push_constant_bytes = push_constant_bytes;
  std::vector<VkDescriptorSetLayoutBinding> layout_bindings(bindings);
  for (uint32_t i = 0; i < bindings; ++i) {
    layout_bindings[i] = {i, binding_types[i], 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  }
  auto set_info = VkStruct<VkDescriptorSetLayoutCreateInfo>(
      VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
  set_info.bindingCount = bindings;
  set_info.pBindings = layout_bindings.data();
  if (auto status =
          VkStatus(vkCreateDescriptorSetLayout(device_, &set_info, nullptr, &kernel.set_layout),
                   "vkCreateDescriptorSetLayout");
      !status.ok()) {
    return status;
  }
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_constant_bytes};
  auto layout_info =
      VkStruct<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &kernel.set_layout;
  layout_info.pushConstantRangeCount = push_constant_bytes > 0 ? 1 : 0;
  layout_info.pPushConstantRanges = &range;
  if (auto status = VkStatus(vkCreatePipelineLayout(device_, &layout_info, nullptr, &kernel.layout),
                             "vkCreatePipelineLayout");
      !status.ok()) {
    vkDestroyDescriptorSetLayout(device_, kernel.set_layout, nullptr);
    return status;
  }
  auto module_info =
      VkStruct<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  module_info.codeSize = code.size_bytes();
  module_info.pCode = code.data();
  VkShaderModule module = VK_NULL_HANDLE;
  absl::Status status = VkStatus(vkCreateShaderModule(device_, &module_info, nullptr, &module),
                                 absl::StrCat("vkCreateShaderModule for ", shader));
  if (status.ok()) {
    auto pipeline =
        VkStruct<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
    pipeline.stage = VkStruct<VkPipelineShaderStageCreateInfo>(
        VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
    pipeline.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipeline.stage.module = module;
    pipeline.stage.pName = "main";
    // Specialization constant 0, kSubgroupsOfEight (common.glsl); shaders without it ignore it.
    const VkBool32 subgroups_of_eight = info_.min_subgroup_size >= 8 ? VK_TRUE : VK_FALSE;
    const VkSpecializationMapEntry entry{0, 0, sizeof(VkBool32)};
    const VkSpecializationInfo specialization{1, &entry, sizeof(VkBool32), &subgroups_of_eight};
    pipeline.stage.pSpecializationInfo = &specialization;
    pipeline.layout = kernel.layout;
    status = VkStatus(
        vkCreateComputePipelines(device_, pipeline_cache_, 1, &pipeline, nullptr, &kernel.pipeline),
        absl::StrCat("vkCreateComputePipelines for ", shader));
    vkDestroyShaderModule(device_, module, nullptr);
  }
  if (!status.ok()) {
    vkDestroyPipelineLayout(device_, kernel.layout, nullptr);
    vkDestroyDescriptorSetLayout(device_, kernel.set_layout, nullptr);
    return status;
  }
  return &kernels_.emplace(shader, kernel).first->second;
}

absl::Status VulkanDevice::Submit(std::span<const VkCommandBuffer> command_buffers,
                                  std::function<void(absl::Status)> done) {
  absl::MutexLock lock(&mutex_);
  if (!lost_reason_.empty()) return absl::UnavailableError(lost_reason_);
  const uint64_t value = next_value_;
  auto timeline =
      VkStruct<VkTimelineSemaphoreSubmitInfo>(VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO);
  timeline.signalSemaphoreValueCount = 1;
  timeline.pSignalSemaphoreValues = &value;
  auto submit = VkStruct<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO, &timeline);
  submit.commandBufferCount = static_cast<uint32_t>(command_buffers.size());
  submit.pCommandBuffers = command_buffers.data();
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &timeline_;
  const VkResult result = vkQueueSubmit(queue_, 1, &submit, VK_NULL_HANDLE);
  if (result == VK_ERROR_DEVICE_LOST) {
    MarkLostLocked(absl::StrCat("Vulkan device ", info_.index, " (", info_.name,
                                ") was lost: VK_ERROR_DEVICE_LOST on submit"));
    return absl::UnavailableError(lost_reason_);
  }
  if (auto status = VkStatus(result, "vkQueueSubmit"); !status.ok()) return status;
  ++next_value_;
  pending_.push_back(Pending{value, std::move(done)});
  return absl::OkStatus();
}

void VulkanDevice::FailPending(const absl::Status& status) {
  std::deque<Pending> failed;
  failed.swap(pending_);
  // Callbacks may submit again; run them without the lock held.
  mutex_.Unlock();
  for (Pending& pending : failed) pending.done(status);
  mutex_.Lock();
}

void VulkanDevice::MarkLost(const std::string& reason) {
  absl::MutexLock lock(&mutex_);
  MarkLostLocked(reason);
}

void VulkanDevice::MarkLostLocked(const std::string& reason) {
  if (lost_reason_.empty()) lost_reason_ = reason;
  lost_.store(true, std::memory_order_release);
  FailPending(absl::UnavailableError(lost_reason_));
}

void VulkanDevice::CompletionLoop() {
  while (true) {
    uint64_t wanted = 0;
    {
      absl::MutexLock lock(&mutex_);
      mutex_.Await(absl::Condition(
          +[](VulkanDevice* device) ABSL_EXCLUSIVE_LOCKS_REQUIRED(device->mutex_) {
            return device->stopping_ || !device->pending_.empty();
          },
          this));
      if (pending_.empty()) return;  // stopping, nothing left
      wanted = pending_.front().value;
    }
    auto wait = VkStruct<VkSemaphoreWaitInfo>(VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO);
    wait.semaphoreCount = 1;
    wait.pSemaphores = &timeline_;
    wait.pValues = &wanted;
    const VkResult result = vkWaitSemaphores(device_, &wait, kCompletionWaitNanoseconds);
    if (result == VK_TIMEOUT) continue;
    std::deque<Pending> finished;
    absl::Status status = absl::OkStatus();
    {
      absl::MutexLock lock(&mutex_);
      if (result != VK_SUCCESS) {
        MarkLostLocked(absl::StrCat("Vulkan device ", info_.index, " (", info_.name, ") failed: ",
                                    std::string(VkResultName(result)), " waiting for a batch"));
        continue;
      }
      uint64_t reached = 0;
      vkGetSemaphoreCounterValue(device_, timeline_, &reached);
      while (!pending_.empty() && pending_.front().value <= reached) {
        finished.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    for (Pending& pending : finished) pending.done(status);
  }
}

absl::Status VulkanDevice::UploadNow(VkBuffer destination, std::span<const Upload> uploads,
                                     const std::string& what) {
  VkDeviceSize upload_bytes = 0;
  for (const Upload& upload : uploads) upload_bytes += upload.bytes.size();
  if (upload_bytes == 0) return absl::OkStatus();
  auto staging = CreateBuffer(upload_bytes, /*host_visible=*/true, what);
  if (!staging.ok()) return staging.status();
  std::vector<VkBufferCopy> copies;
  VkDeviceSize at = 0;
  for (const Upload& upload : uploads) {
    if (upload.bytes.empty()) continue;
    std::memcpy(staging->mapped() + at, upload.bytes.data(), upload.bytes.size());
    copies.push_back(VkBufferCopy{at, upload.offset, upload.bytes.size()});
    at += upload.bytes.size();
  }
  const VkBuffer source = staging->handle();
  return RunNow([&](VkCommandBuffer command_buffer) {
    vkCmdCopyBuffer(command_buffer, source, destination, static_cast<uint32_t>(copies.size()),
                    copies.data());
  });
}

absl::Status VulkanDevice::RunNow(const std::function<void(VkCommandBuffer)>& record) {
  absl::MutexLock lock(&mutex_);
  if (!lost_reason_.empty()) return absl::UnavailableError(lost_reason_);
  auto allocated = AllocateCommandBuffer(device_, upload_pool_);
  if (!allocated.ok()) return allocated.status();
  VkCommandBuffer command_buffer = *allocated;
  auto begin = VkStruct<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(command_buffer, &begin);
  record(command_buffer);
  vkEndCommandBuffer(command_buffer);
  const absl::Status status = SubmitAndWaitLocked({&command_buffer, 1});
  vkFreeCommandBuffers(device_, upload_pool_, 1, &command_buffer);
  return status;
}

absl::Status VulkanDevice::SubmitAndWait(std::span<const VkCommandBuffer> command_buffers) {
  absl::MutexLock lock(&mutex_);
  if (!lost_reason_.empty()) return absl::UnavailableError(lost_reason_);
  return SubmitAndWaitLocked(command_buffers);
}

absl::Status VulkanDevice::SubmitAndWaitLocked(std::span<const VkCommandBuffer> command_buffers) {
  auto submit = VkStruct<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
  submit.commandBufferCount = static_cast<uint32_t>(command_buffers.size());
  submit.pCommandBuffers = command_buffers.data();
  absl::Status status =
      VkStatus(vkQueueSubmit(queue_, 1, &submit, wait_fence_), "vkQueueSubmit (waited)");
  if (status.ok()) {
    status =
        VkStatus(vkWaitForFences(device_, 1, &wait_fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  }
  vkResetFences(device_, 1, &wait_fence_);
  return status;
}

void VulkanDevice::AddInstance(const PlacedInstance& instance) {
  absl::MutexLock lock(&mutex_);
  instances_.push_back(instance);
}

void VulkanDevice::RemoveInstance(const PlacedInstance& instance) {
  absl::MutexLock lock(&mutex_);
  for (auto it = instances_.begin(); it != instances_.end(); ++it) {
    if (it->model == instance.model && it->version == instance.version &&
        it->instance == instance.instance) {
      instances_.erase(it);
      return;
    }
  }
}

std::vector<PlacedInstance> VulkanDevice::instances() const {
  absl::MutexLock lock(&mutex_);
  return instances_;
}

std::string VulkanDevice::lost_reason() const {
  absl::MutexLock lock(&mutex_);
  return lost_reason_;
}

}  // namespace inferd::vulkan
