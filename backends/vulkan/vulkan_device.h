// One logical Vulkan device: its compute queue, memory, the compute pipelines of the embedded
// shaders (made once per device, shared by every model on it), and a completion thread that turns
// finished submissions into callbacks, so no thread waits per batch in flight.
#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "backends/vulkan/vulkan_context.h"
#include "engine/device_status.h"

namespace inferd::vulkan {

class VulkanDevice;
class ConstantStore;

// A buffer with its own memory; mapped for its lifetime when host-visible. Move-only.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer&& other) noexcept { *this = std::move(other); }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  ~DeviceBuffer() { Release(); }

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  uint8_t* mapped() const { return mapped_; }  // null unless host-visible

 private:
  friend class VulkanDevice;
  void Release();
  VulkanDevice* device_ = nullptr;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
  uint8_t* mapped_ = nullptr;
};

// A 2D image with its own device-local memory and a view of it, for the images a model's own
// compute shaders bind (module_kernel.h). Move-only.
class DeviceImage {
 public:
  DeviceImage() = default;
  DeviceImage(DeviceImage&& other) noexcept { *this = std::move(other); }
  DeviceImage& operator=(DeviceImage&& other) noexcept;
  ~DeviceImage() { Release(); }

  VkImage handle() const { return image_; }
  VkImageView view() const { return view_; }

 private:
  friend class VulkanDevice;
  void Release();
  VulkanDevice* device_ = nullptr;
  VkImage image_ = VK_NULL_HANDLE;
  VkImageView view_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
};

// A compute pipeline of one embedded shader: `bindings` storage buffers at set 0 and a push
// constant block.
struct ComputeKernel {
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  uint32_t bindings = 0;
  uint32_t push_constant_bytes = 0;
};

// One primary command buffer from `pool` (which the caller synchronises).
absl::StatusOr<VkCommandBuffer> AllocateCommandBuffer(VkDevice device, VkCommandPool pool);

class VulkanDevice {
 public:
  // With `pipeline_cache_dir`, the pipeline cache starts from the file this device has there (see
  // pipeline_cache_file.h) and SavePipelineCache writes it back.
  // With `robust_buffer_access`, a device without VK_EXT_pipeline_robustness gets robust buffer
  // access for every pipeline (see contains_model_shaders).
  static absl::StatusOr<std::shared_ptr<VulkanDevice>> Create(
      const PhysicalDeviceInfo& info, const std::string& pipeline_cache_dir = "",
      bool robust_buffer_access = false);
  ~VulkanDevice();
  VulkanDevice(const VulkanDevice&) = delete;
  VulkanDevice& operator=(const VulkanDevice&) = delete;

  const PhysicalDeviceInfo& info() const { return info_; }
  VkDevice handle() const { return device_; }
  uint32_t queue_family() const { return queue_family_; }
  VkDeviceSize storage_alignment() const { return storage_alignment_; }
  const VkPhysicalDeviceLimits& limits() const { return limits_; }
  // VK_EXT_pipeline_robustness is enabled: a pipeline can ask for robust buffer access on its own
  // (the shaders a model brings, module_kernel.h), leaving inferd's shaders without the cost.
  bool pipeline_robustness() const { return pipeline_robustness_; }
  // Whether a model's own shader (module_kernel.h) can run here with its accesses kept inside its
  // buffers: per pipeline (VK_EXT_pipeline_robustness), or for all pipelines (robustBufferAccess,
  // enabled on request where the extension is missing).
  bool contains_model_shaders() const { return pipeline_robustness_ || robust_buffer_access_; }

  // A storage/transfer buffer of `size` bytes: device-local, or host-visible and coherent (mapped)
  // for staging. RESOURCE_EXHAUSTED naming `what` when the device is out of memory.
  absl::StatusOr<DeviceBuffer> CreateBuffer(VkDeviceSize size, bool host_visible,
                                            const std::string& what);

  // A width x height image of `format` usable as a storage image, a sampled image and a copy's
  // source and destination. RESOURCE_EXHAUSTED naming `what` when the device is out of memory.
  absl::StatusOr<DeviceImage> CreateImage(VkFormat format, uint32_t width, uint32_t height,
                                          const std::string& what);

  // The pipeline of the named embedded shader, created on first use, with bindings 0..n-1 of the
  // given descriptor types (a variant always binds the same types).
  absl::StatusOr<const ComputeKernel*> Kernel(const std::string& shader,
                                              const std::vector<VkDescriptorType>& bindings,
                                              uint32_t push_constant_bytes);

  // Writes the pipeline cache to its file when pipelines were made since the last save (a model's
  // load calls it once it made its pipelines). OK and nothing written without a cache folder;
  // FailedPrecondition naming the file when it cannot be written (the daemon keeps serving).
  absl::Status SavePipelineCache();
  // The pipeline cache file, or empty when pipelines are not persisted.
  const std::string& pipeline_cache_path() const { return pipeline_cache_path_; }

  // Submits `command_buffers` in order; `done` runs on the completion thread once they finished
  // (OK), or with UNAVAILABLE when the device was lost. Never blocks on the GPU.
  absl::Status Submit(std::span<const VkCommandBuffer> command_buffers,
                      std::function<void(absl::Status)> done);

  // Runs `record` into a one-off command buffer and waits for it (load-time uploads only).
  absl::Status RunNow(const std::function<void(VkCommandBuffer)>& record);

  // Bytes for `destination`, each at its offset there.
  struct Upload {
    std::span<const uint8_t> bytes;
    VkDeviceSize offset = 0;
  };
  // Copies `uploads` into `destination` through a temporary host-visible buffer and waits
  // (load-time uploads only); `what` names them in an out-of-memory error.
  absl::Status UploadNow(VkBuffer destination, std::span<const Upload> uploads,
                         const std::string& what);

  // Submits and blocks until done, bypassing the completion thread: for load-time work and for
  // the benchmark's floor (the bare cost of a program's command buffers).
  absl::Status SubmitAndWait(std::span<const VkCommandBuffer> command_buffers);

  // The model instances placed on this device, for ListDevices: an Executable adds itself when
  // loaded and removes itself when destroyed.
  void AddInstance(const PlacedInstance& instance);
  void RemoveInstance(const PlacedInstance& instance);
  std::vector<PlacedInstance> instances() const;

  // The constants of every program on this device, each distinct blob held once
  // (constant_store.h).
  ConstantStore& constants() { return *constants_; }

  // Bytes inferd has allocated on this device, for metrics.
  uint64_t allocated_bytes() const { return allocated_bytes_.load(); }

  // Timestamp queries on the compute queue: whether it writes them, and ticks to nanoseconds.
  bool has_timestamps() const { return timestamp_valid_bits_ > 0 && timestamp_period_ns_ > 0; }
  // The elapsed nanoseconds from timestamp `begin` to `end` (wrapped within the valid bits).
  uint64_t TimestampNanoseconds(uint64_t begin, uint64_t end) const {
    const uint64_t mask =
        timestamp_valid_bits_ >= 64 ? ~uint64_t{0} : (uint64_t{1} << timestamp_valid_bits_) - 1;
    return static_cast<uint64_t>(static_cast<double>((end - begin) & mask) * timestamp_period_ns_);
  }
  // GPU time the device spent on inferd's batches, measured by timestamps (metrics).
  void AddBusyTime(uint64_t nanoseconds) { busy_ns_.fetch_add(nanoseconds); }
  uint64_t busy_ns() const { return busy_ns_.load(); }
  // Set once a submission or wait reported VK_ERROR_DEVICE_LOST; the reason, else empty.
  std::string lost_reason() const;
  // Whether the device was lost, without the lock or a copy: asked on every model lookup.
  bool lost() const { return lost_.load(std::memory_order_acquire); }
  // What the submit and completion paths do when the device is lost: every batch in flight and
  // every later call fails UNAVAILABLE with `reason` (the first reason stays), and metrics and
  // ListDevices report the device lost. Public so that tests can show a loss's effects, which no
  // software driver can be made to produce.
  void MarkLost(const std::string& reason);

 private:
  explicit VulkanDevice(const PhysicalDeviceInfo& info);
  absl::Status Initialise(const std::string& pipeline_cache_dir, bool robust_buffer_access);
  // The data a persisted cache starts from (empty when there is none or it cannot be used).
  std::vector<uint8_t> InitialPipelineCacheData(const std::string& pipeline_cache_dir,
                                                const VkPhysicalDeviceProperties& properties);
  void CompletionLoop();
  void FailPending(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void MarkLostLocked(const std::string& reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status SubmitAndWaitLocked(std::span<const VkCommandBuffer> command_buffers)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Memory of the first type `requirements` allows that has `wanted`, counted in
  // allocated_bytes(); UNIMPLEMENTED naming `what` if no type fits, RESOURCE_EXHAUSTED when out.
  absl::StatusOr<VkDeviceMemory> Allocate(const VkMemoryRequirements& requirements,
                                          VkMemoryPropertyFlags wanted, const std::string& what);
  friend class DeviceBuffer;
  friend class DeviceImage;

  const PhysicalDeviceInfo info_;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkPhysicalDeviceMemoryProperties memory_properties_{};
  VkDeviceSize storage_alignment_ = 256;
  VkPhysicalDeviceLimits limits_{};
  bool pipeline_robustness_ = false;
  bool robust_buffer_access_ = false;
  VkSemaphore timeline_ = VK_NULL_HANDLE;
  VkPipelineCache pipeline_cache_ = VK_NULL_HANDLE;
  std::string pipeline_cache_path_;
  absl::Mutex cache_file_mutex_;  // one save at a time
  size_t kernels_saved_ ABSL_GUARDED_BY(cache_file_mutex_) = 0;
  VkCommandPool upload_pool_ = VK_NULL_HANDLE;  // for RunNow, under mutex_
  VkFence wait_fence_ = VK_NULL_HANDLE;         // for SubmitAndWait, under mutex_
  std::atomic<uint64_t> allocated_bytes_{0};
  uint32_t timestamp_valid_bits_ = 0;
  double timestamp_period_ns_ = 0;
  std::atomic<uint64_t> busy_ns_{0};
  std::atomic<bool> lost_{false};  // lost_reason_ is set (read without mutex_)
  std::unique_ptr<ConstantStore> constants_;

  struct Pending {
    uint64_t value = 0;
    std::function<void(absl::Status)> done;
  };
  mutable absl::Mutex mutex_;
  uint64_t next_value_ ABSL_GUARDED_BY(mutex_) = 1;
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::string lost_reason_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, ComputeKernel> kernels_ ABSL_GUARDED_BY(mutex_);
  std::vector<PlacedInstance> instances_ ABSL_GUARDED_BY(mutex_);
  std::thread completion_thread_;
};

}  // namespace inferd::vulkan
