// The constants of every program on one Vulkan device, held once. A program hands over its blobs
// (its constant tensors' bytes, and the derived constants its lowering made: repacked weights,
// offset biases, ...); a blob equal to one already on the device (the same size and SHA-256) is
// shared instead of uploaded again, so a model's batch passes (the graph widened to a batch keeps
// its constants) and its instances, and models with the same weights, hold their constants once.
//
// Blobs live in chunks: one device-local buffer per Place call that had new blobs, uploaded
// whole. A chunk stays while any program holds a placement in it and is freed with the last; the
// store keeps only weak references, so it never holds memory that no program uses.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "backends/vulkan/vulkan_device.h"

namespace inferd::vulkan {

class ConstantStore {
 public:
  // Where a blob lives: `offset` bytes into `chunk` (a multiple of the device's storage and
  // texel-buffer alignment); holding it keeps the chunk.
  struct Placement {
    std::shared_ptr<const DeviceBuffer> chunk;
    VkDeviceSize offset = 0;
  };

  // One placement per blob, in order; the blobs not on `device` yet (each once, however often it
  // appears) go up together in a new chunk. RESOURCE_EXHAUSTED when the device is out of memory.
  // Safe to call from several threads (models loading at once); calls run one at a time.
  absl::StatusOr<std::vector<Placement>> Place(VulkanDevice& device,
                                               std::span<const std::span<const uint8_t>> blobs);

  // Bytes of the chunks alive, for tests and logs.
  uint64_t resident_bytes() const;

 private:
  using Key = std::array<uint8_t, 40>;  // SHA-256, then the size (8 bytes, little-endian)
  static Key KeyOf(std::span<const uint8_t> blob);
  struct Entry {
    std::weak_ptr<const DeviceBuffer> chunk;
    VkDeviceSize offset = 0;
  };

  mutable absl::Mutex mutex_;
  std::map<Key, Entry> entries_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::weak_ptr<const DeviceBuffer>> chunks_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace inferd::vulkan
