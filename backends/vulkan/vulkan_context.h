// The process's Vulkan instance and the devices it can see: created on first use, shared by every
// model instance on a Vulkan device. Each physical device's logical device (VulkanDevice) is made
// once and kept, so models placed on the same GPU share its queue and completion thread.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/device_status.h"

namespace inferd::vulkan {

class VulkanDevice;

// What inferd knows of one physical device, for logs, placement and ListDevices.
struct PhysicalDeviceInfo {
  uint32_t index = 0;  // among the visible devices, the number instance_group's `gpus` names
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  std::string name;
  std::string type;  // "discrete GPU", "integrated GPU", "virtual GPU", "CPU", "other"
  bool is_cpu = false;
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  std::string driver;  // driver name and info, e.g. "llvmpipe Mesa 22.3.6 (LLVM 15.0.6)"
  uint32_t api_version = 0;
  uint64_t device_local_bytes = 0;  // the sum of the device-local heaps
  uint64_t max_storage_buffer_range = 0;
  bool shader_int64 = false;
  // Subgroup shuffle operations in compute shaders (the register-blocked CONV2D shares weights
  // with them; without, CONV2D runs the plain shader).
  bool subgroup_shuffle = false;
  // The fewest invocations a compute subgroup may have (Vulkan 1.3's minSubgroupSize): shaders
  // learn whether it is at least 8 through specialization constant 0 (common.glsl).
  uint32_t min_subgroup_size = 0;
  // The most (maxSubgroupSize): the blocked CONV2D's teams are never smaller (op_lowering.h).
  uint32_t max_subgroup_size = 0;
  // Vulkan 1.3's shaderIntegerDotProduct (the tiled INT8 MATMUL can sum with int8 dot-product
  // instructions), and whether the device reports 4x8-bit packed signed dot products as
  // accelerated (integerDotProduct4x8BitPackedSignedAccelerated), i.e. faster than the plain
  // multiply-adds they replace; the backend uses them only then unless told otherwise.
  bool integer_dot_product = false;
  bool integer_dot_product_accelerated = false;
  // Empty when the device has every feature the backend needs; otherwise what it lacks.
  std::string missing;
};

struct VulkanContextOptions {
  // Comma-separated substrings; when not empty only devices whose name contains one of them are
  // visible (the operator's --vulkan-device-filter).
  std::string device_filter;
  // When not empty, each device's pipeline cache is read from and written to this folder
  // (--vulkan-pipeline-cache-dir; pipeline_cache_file.h).
  std::string pipeline_cache_dir;
  // Robust buffer access for every pipeline of devices without VK_EXT_pipeline_robustness
  // (--vulkan-robust-buffer-access), which models' own compute shaders need there.
  bool robust_buffer_access = false;
};

class VulkanContext {
 public:
  // The process-wide context, created on the first call with `options` (later calls' options are
  // ignored). UNAVAILABLE naming the reason when there is no Vulkan loader, no driver, or no
  // device passes the filter.
  static absl::StatusOr<std::shared_ptr<VulkanContext>> Get(
      const VulkanContextOptions& options = {});

  // The context if Get has created it, else null (never creates one).
  static std::shared_ptr<VulkanContext> IfCreated();

  ~VulkanContext();

  const std::vector<PhysicalDeviceInfo>& devices() const { return devices_; }

  // The device instance_group's `gpus` would name with `index`, or with none the default: the
  // first usable device that is not a CPU implementation, else the first usable one (lavapipe).
  absl::StatusOr<const PhysicalDeviceInfo*> Choose(std::optional<uint32_t> index) const;

  // Get, Choose and Open in one call: the device `index` names (instance_group's `gpus`) or the
  // default one, opened. What every caller that wants "a device for this model" uses.
  static absl::StatusOr<std::shared_ptr<VulkanDevice>> OpenDevice(
      std::optional<uint32_t> index, const VulkanContextOptions& options = {});

  // The logical device for `info`, created on first use.
  absl::StatusOr<std::shared_ptr<VulkanDevice>> Open(const PhysicalDeviceInfo& info);

  // The logical devices models have opened so far.
  std::vector<std::shared_ptr<VulkanDevice>> OpenedDevices() const;

  // Every visible device with its memory and placed instances (opened devices only have those).
  std::vector<DeviceStatus> Status() const;

  // One line per device for the start-up log.
  std::vector<std::string> Describe() const;

 private:
  VulkanContext() = default;
  absl::Status Initialise(const VulkanContextOptions& options);

  VkInstance instance_ = VK_NULL_HANDLE;
  std::string pipeline_cache_dir_;
  bool robust_buffer_access_ = false;
  std::vector<PhysicalDeviceInfo> devices_;
  mutable absl::Mutex mutex_;
  std::vector<std::shared_ptr<VulkanDevice>> opened_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace inferd::vulkan
