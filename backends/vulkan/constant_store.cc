#include "backends/vulkan/constant_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <utility>

namespace inferd::vulkan {
namespace {

VkDeviceSize AlignUp(VkDeviceSize value, VkDeviceSize alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

}  // namespace

ConstantStore::Key ConstantStore::KeyOf(std::span<const uint8_t> blob) {
  Key key{};
  unsigned int digest_size = 0;
  EVP_Digest(blob.data(), blob.size(), key.data(), &digest_size, EVP_sha256(), nullptr);
  const uint64_t size = blob.size();
  for (int i = 0; i < 8; ++i) key[32 + i] = static_cast<uint8_t>(size >> (8 * i));
  return key;
}

absl::StatusOr<std::vector<ConstantStore::Placement>> ConstantStore::Place(
    VulkanDevice& device, std::span<const std::span<const uint8_t>> blobs) {
  absl::MutexLock lock(&mutex_);
  std::vector<Placement> placements(blobs.size());
  // The blobs to upload, each once, at their offsets in the new chunk; the placements that wait
  // for the chunk.
  std::map<Key, VkDeviceSize> fresh;
  std::vector<std::pair<size_t, VkDeviceSize>> waiting;
  std::vector<VulkanDevice::Upload> uploads;
  VkDeviceSize chunk_bytes = 0;
  for (size_t i = 0; i < blobs.size(); ++i) {
    const Key key = KeyOf(blobs[i]);
    if (auto entry = entries_.find(key); entry != entries_.end()) {
      if (std::shared_ptr<const DeviceBuffer> chunk = entry->second.chunk.lock()) {
        placements[i] = Placement{std::move(chunk), entry->second.offset};
        continue;
      }
      entries_.erase(entry);  // its chunk was freed with the last program using it
    }
    auto [at, added] = fresh.emplace(key, chunk_bytes);
    if (added) {
      uploads.push_back({blobs[i], chunk_bytes});
      // Every blob gets at least one byte: a binding's range is never empty.
      chunk_bytes =
          AlignUp(chunk_bytes + std::max<size_t>(blobs[i].size(), 1), device.storage_alignment());
    }
    waiting.emplace_back(i, at->second);
  }
  if (waiting.empty()) return placements;

  auto buffer = device.CreateBuffer(chunk_bytes, /*host_visible=*/false, "the models' constants");
  if (!buffer.ok()) return buffer.status();
  auto chunk = std::make_shared<const DeviceBuffer>(*std::move(buffer));
  if (absl::Status status = device.UploadNow(chunk->handle(), uploads, "constant upload");
      !status.ok()) {
    return status;
  }
  for (const auto& [key, offset] : fresh) entries_[key] = Entry{chunk, offset};
  for (const auto& [index, offset] : waiting) placements[index] = Placement{chunk, offset};
  // Forget what the programs gone since have left behind.
  std::erase_if(chunks_, [](const auto& alive) { return alive.expired(); });
  std::erase_if(entries_, [](const auto& entry) { return entry.second.chunk.expired(); });
  chunks_.push_back(chunk);
  return placements;
}

uint64_t ConstantStore::resident_bytes() const {
  absl::MutexLock lock(&mutex_);
  uint64_t bytes = 0;
  for (const auto& weak : chunks_) {
    if (auto chunk = weak.lock()) bytes += chunk->size();
  }
  return bytes;
}

}  // namespace inferd::vulkan
