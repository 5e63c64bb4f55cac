#include "backends/vulkan/vulkan_context.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "backends/vulkan/vulkan_device.h"
#include "backends/vulkan/vulkan_status.h"
#include "spdlog/spdlog.h"

namespace inferd::vulkan {
namespace {

std::string DeviceTypeName(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return "CPU";
    default:
      return "other";
  }
}

std::string VersionText(uint32_t version) {
  return absl::StrCat(VK_API_VERSION_MAJOR(version), ".", VK_API_VERSION_MINOR(version), ".",
                      VK_API_VERSION_PATCH(version));
}

bool PassesFilter(const std::string& name, const std::string& filter) {
  if (filter.empty()) return true;
  for (absl::string_view part : absl::StrSplit(filter, ',', absl::SkipWhitespace())) {
    if (name.find(std::string(part)) != std::string::npos) return true;
  }
  return false;
}

// Fills what the backend needs to know and lists what the device lacks.
PhysicalDeviceInfo Inspect(VkPhysicalDevice handle) {
  PhysicalDeviceInfo info;
  info.handle = handle;
  auto subgroup = VkStruct<VkPhysicalDeviceSubgroupProperties>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES);
  auto properties13 = VkStruct<VkPhysicalDeviceVulkan13Properties>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES, &subgroup);
  auto driver = VkStruct<VkPhysicalDeviceDriverProperties>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES, &properties13);
  auto properties = VkStruct<VkPhysicalDeviceProperties2>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &driver);
  vkGetPhysicalDeviceProperties2(handle, &properties);
  const VkPhysicalDeviceProperties& p = properties.properties;
  info.name = p.deviceName;
  info.type = DeviceTypeName(p.deviceType);
  info.is_cpu = p.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  info.vendor_id = p.vendorID;
  info.device_id = p.deviceID;
  info.api_version = p.apiVersion;
  info.driver = absl::StrCat(driver.driverName, " ", driver.driverInfo);
  info.max_storage_buffer_range = p.limits.maxStorageBufferRange;
  info.min_subgroup_size = properties13.minSubgroupSize;
  info.max_subgroup_size = properties13.maxSubgroupSize;
  info.subgroup_shuffle = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0 &&
                          (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT) != 0;

  VkPhysicalDeviceMemoryProperties memory;
  vkGetPhysicalDeviceMemoryProperties(handle, &memory);
  for (uint32_t i = 0; i < memory.memoryHeapCount; ++i) {
    if (memory.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) {
      info.device_local_bytes += memory.memoryHeaps[i].size;
    }
  }

  auto features13 = VkStruct<VkPhysicalDeviceVulkan13Features>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES);
  auto features12 = VkStruct<VkPhysicalDeviceVulkan12Features>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES, &features13);
  auto features11 = VkStruct<VkPhysicalDeviceVulkan11Features>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES, &features12);
  auto features = VkStruct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                                      &features11);
  vkGetPhysicalDeviceFeatures2(handle, &features);
  info.shader_int64 = features.features.shaderInt64;
  // The 1.3 structures are filled only by a 1.3 device (an older one is unusable anyway).
  if (p.apiVersion >= VK_API_VERSION_1_3) {
    info.integer_dot_product = features13.shaderIntegerDotProduct == VK_TRUE;
    info.integer_dot_product_accelerated =
        info.integer_dot_product &&
        properties13.integerDotProduct4x8BitPackedSignedAccelerated == VK_TRUE;
  }

  std::vector<std::string> missing;
  if (p.apiVersion < VK_API_VERSION_1_3) {
    missing.push_back(absl::StrCat("Vulkan 1.3 (has ", VersionText(p.apiVersion), ")"));
  }
  if (!features.features.shaderInt16) missing.push_back("shaderInt16");
  if (!features12.shaderInt8) missing.push_back("shaderInt8");
  if (!features12.storageBuffer8BitAccess) missing.push_back("storageBuffer8BitAccess");
  if (!features11.storageBuffer16BitAccess) missing.push_back("storageBuffer16BitAccess");
  if (!features12.timelineSemaphore) missing.push_back("timelineSemaphore");
  // Without shaderInt64 the shaders that need 64-bit integers run their exact 32-bit variants.
  uint32_t family_count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(handle, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  vkGetPhysicalDeviceQueueFamilyProperties(handle, &family_count, families.data());
  if (std::none_of(families.begin(), families.end(), [](const VkQueueFamilyProperties& family) {
        return (family.queueFlags & VK_QUEUE_COMPUTE_BIT) != 0;
      })) {
    missing.push_back("a compute queue");
  }
  info.missing = absl::StrJoin(missing, ", ");
  return info;
}

}  // namespace

namespace {

// The process's context, made once by Get (never destroyed: drivers' atexit handlers may still
// use the instance).
absl::Mutex context_mutex(absl::kConstInit);
std::shared_ptr<VulkanContext>* context ABSL_GUARDED_BY(context_mutex) = nullptr;
absl::Status* failure ABSL_GUARDED_BY(context_mutex) = nullptr;
// A context whose initialisation failed after the instance was made (no device passes the filter,
// none usable) is kept too: destroying its instance would unload the drivers, whose allocations for
// the process's lifetime would then show as leaks of an unknown module (tests/sanitizers/lsan.supp
// names lavapipe's library).
std::shared_ptr<VulkanContext>* failed_context ABSL_GUARDED_BY(context_mutex) = nullptr;

}  // namespace

std::shared_ptr<VulkanContext> VulkanContext::IfCreated() {
  absl::MutexLock lock(&context_mutex);
  return context != nullptr ? *context : nullptr;
}

std::vector<std::shared_ptr<VulkanDevice>> VulkanContext::OpenedDevices() const {
  absl::MutexLock lock(&mutex_);
  return opened_;
}

absl::StatusOr<std::shared_ptr<VulkanContext>> VulkanContext::Get(
    const VulkanContextOptions& options) {
  absl::MutexLock lock(&context_mutex);
  if (context != nullptr) return *context;
  if (failure != nullptr) return *failure;
  // Made on first use (a tosa_vulkan model's load, a device listing), not at start-up: creating the
  // instance loads every installed driver, and lavapipe alone maps ~45 MB of LLVM into the process,
  // which a daemon serving no GPU model should not carry (benchmarks/README.md, idle RSS). Every
  // device, usable or not, is logged then, so an operator sees what tosa_vulkan models get.
  std::shared_ptr<VulkanContext> created(new VulkanContext());
  if (absl::Status status = created->Initialise(options); !status.ok()) {
    spdlog::warn("no Vulkan device for tosa_vulkan models: {}", std::string(status.message()));
    failure = new absl::Status(std::move(status));
    failed_context = new std::shared_ptr<VulkanContext>(std::move(created));
    return *failure;
  }
  for (const std::string& line : created->Describe()) spdlog::info("{}", line);
  context = new std::shared_ptr<VulkanContext>(std::move(created));
  return *context;
}

absl::Status VulkanContext::Initialise(const VulkanContextOptions& options) {
  pipeline_cache_dir_ = options.pipeline_cache_dir;
  robust_buffer_access_ = options.robust_buffer_access;
  auto application = VkStruct<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
  application.pApplicationName = "inferd";
  application.pEngineName = "inferd";
  application.apiVersion = VK_API_VERSION_1_3;
  auto create = VkStruct<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
  create.pApplicationInfo = &application;
  if (absl::Status status =
          VkStatus(vkCreateInstance(&create, nullptr, &instance_), "vkCreateInstance");
      !status.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "no Vulkan driver: ", status.message(),
        " (install a driver, e.g. Mesa's lavapipe: apt-get install mesa-vulkan-drivers)"));
  }
  uint32_t count = 0;
  vkEnumeratePhysicalDevices(instance_, &count, nullptr);
  std::vector<VkPhysicalDevice> handles(count);
  vkEnumeratePhysicalDevices(instance_, &count, handles.data());
  for (VkPhysicalDevice handle : handles) {
    PhysicalDeviceInfo info = Inspect(handle);
    if (!PassesFilter(info.name, options.device_filter)) continue;
    info.index = static_cast<uint32_t>(devices_.size());
    devices_.push_back(std::move(info));
  }
  if (devices_.empty()) {
    return absl::UnavailableError(
        count == 0
            ? std::string("the Vulkan loader found no device")
            : absl::StrCat("none of the ", count, " Vulkan devices passes --vulkan-device-filter '",
                           options.device_filter, "'"));
  }
  return absl::OkStatus();
}

VulkanContext::~VulkanContext() {
  {
    absl::MutexLock lock(&mutex_);
    opened_.clear();
  }
  if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
}

absl::StatusOr<const PhysicalDeviceInfo*> VulkanContext::Choose(
    std::optional<uint32_t> index) const {
  if (index.has_value()) {
    if (*index >= devices_.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("instance_group names Vulkan device ", *index, ", but only ",
                       devices_.size(), " are visible (0 to ", devices_.size() - 1, ")"));
    }
    const PhysicalDeviceInfo& info = devices_[*index];
    if (!info.missing.empty()) {
      return absl::UnimplementedError(absl::StrCat("Vulkan device ", *index, " (", info.name,
                                                   ") lacks what inferd needs: ", info.missing));
    }
    return &info;
  }
  const PhysicalDeviceInfo* fallback = nullptr;
  std::vector<std::string> reasons;
  for (const PhysicalDeviceInfo& info : devices_) {
    if (!info.missing.empty()) {
      reasons.push_back(absl::StrCat(info.name, " lacks ", info.missing));
      continue;
    }
    if (!info.is_cpu) return &info;
    if (fallback == nullptr) fallback = &info;
  }
  if (fallback != nullptr) return fallback;
  return absl::UnimplementedError(
      absl::StrCat("no Vulkan device has what inferd needs: ", absl::StrJoin(reasons, "; ")));
}

absl::StatusOr<std::shared_ptr<VulkanDevice>> VulkanContext::OpenDevice(
    std::optional<uint32_t> index, const VulkanContextOptions& options) {
  auto context = Get(options);
  if (!context.ok()) return context.status();
  auto info = (*context)->Choose(index);
  if (!info.ok()) return info.status();
  return (*context)->Open(**info);
}

absl::StatusOr<std::shared_ptr<VulkanDevice>> VulkanContext::Open(const PhysicalDeviceInfo& info) {
  absl::MutexLock lock(&mutex_);
  for (const std::shared_ptr<VulkanDevice>& device : opened_) {
    if (device->info().handle == info.handle) return device;
  }
  absl::StatusOr<std::shared_ptr<VulkanDevice>> device =
      VulkanDevice::Create(info, pipeline_cache_dir_, robust_buffer_access_);
  if (!device.ok()) return device.status();
  opened_.push_back(*device);
  return *device;
}

std::vector<DeviceStatus> VulkanContext::Status() const {
  const std::vector<std::shared_ptr<VulkanDevice>> opened = OpenedDevices();
  std::vector<DeviceStatus> list;
  for (const PhysicalDeviceInfo& info : devices_) {
    DeviceStatus status;
    status.index = info.index;
    status.name = info.name;
    status.type = info.type;
    status.driver = info.driver;
    status.api_version = VersionText(info.api_version);
    status.memory_total_bytes = info.device_local_bytes;
    status.unusable_reason = info.missing.empty() ? "" : absl::StrCat("lacks ", info.missing);
    for (const std::shared_ptr<VulkanDevice>& device : opened) {
      if (device->info().handle != info.handle) continue;
      status.memory_used_bytes = device->allocated_bytes();
      status.instances = device->instances();
      if (std::string lost = device->lost_reason(); !lost.empty()) status.unusable_reason = lost;
    }
    list.push_back(std::move(status));
  }
  return list;
}

namespace {

// Whether large INT8 MATMULs sum with int8 dot-product instructions on this device, as the
// start-up line says it.
std::string IntegerDotProductUse(const PhysicalDeviceInfo& info) {
  if (info.integer_dot_product_accelerated) {
    return "; large INT8 MATMULs use int8 dot products (accelerated)";
  }
  if (info.integer_dot_product) {
    return "; int8 dot products not accelerated, so INT8 MATMULs use plain int32 arithmetic";
  }
  return "; no int8 dot products (shaderIntegerDotProduct)";
}

// How the register-blocked convolutions get their weights on the device: handed round subgroups
// of 8 (common.glsl's kSubgroupsOfEight), loaded by every invocation where subgroups may be
// narrower, or (no shuffle) not at all, CONV2D running its plain shader.
std::string SubgroupUse(const PhysicalDeviceInfo& info) {
  if (!info.subgroup_shuffle) {
    return "; no subgroup shuffle in compute shaders, so CONV2D runs its plain shader";
  }
  if (info.min_subgroup_size < 8) {
    return absl::StrCat("; subgroups of ", info.min_subgroup_size,
                        " or more, so each convolution invocation loads its own weights");
  }
  return absl::StrCat("; subgroups of ", info.min_subgroup_size,
                      " or more, which share the convolutions' weights");
}

}  // namespace

std::vector<std::string> VulkanContext::Describe() const {
  std::vector<std::string> lines;
  for (const PhysicalDeviceInfo& info : devices_) {
    lines.push_back(absl::StrCat(
        "Vulkan device ", info.index, ": ", info.name, " (", info.type, ", vendor 0x",
        absl::Hex(info.vendor_id), ", driver ", info.driver, ", Vulkan ",
        VersionText(info.api_version), ", ", info.device_local_bytes >> 20,
        " MiB device-local, storage buffers up to ", info.max_storage_buffer_range >> 20, " MiB)",
        !info.missing.empty() ? absl::StrCat(": not usable, lacks ", info.missing)
        : info.shader_int64
            ? absl::StrCat(": usable, 64-bit integer shaders", SubgroupUse(info),
                           IntegerDotProductUse(info))
            : absl::StrCat(": usable, 64-bit integer arithmetic emulated exactly in 32 bits "
                           "(no shaderInt64)",
                           SubgroupUse(info), IntegerDotProductUse(info))));
  }
  return lines;
}

}  // namespace inferd::vulkan
