// The device's VkPipelineCache kept in a folder between runs (--vulkan-pipeline-cache-dir), so that
// a restart does not compile every shader again (on real GPUs that is most of a model's load time).
//
// One file per physical device and driver build: its name carries the vendor, the device and the
// driver's pipelineCacheUUID, so a driver update starts a new file instead of feeding the driver
// data it would reject. The header is checked before the data reaches the driver too: some drivers
// have crashed on foreign or truncated caches, and the folder is operator-writable.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inferd::vulkan {

// Which device and driver a pipeline cache belongs to.
struct PipelineCacheIdentity {
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  std::array<uint8_t, VK_UUID_SIZE> cache_uuid{};
};

// A cache larger than this is not read (a driver's cache for every shader inferd has is well under
// a megabyte; the bound keeps a stray file from costing the daemon memory).
inline constexpr uint64_t kMaxPipelineCacheFileBytes = 64ull << 20;

// "inferd-pipelines-<vendor>-<device>-<uuid>.bin", in hexadecimal.
std::string PipelineCacheFileName(const PipelineCacheIdentity& identity);

// The cache data in `path`, or empty when there is no file. FailedPrecondition naming the reason
// when the file is larger than kMaxPipelineCacheFileBytes, its header is malformed, or it belongs
// to another device or driver (the caller starts an empty cache and overwrites the file later).
absl::StatusOr<std::vector<uint8_t>> ReadPipelineCacheFile(const std::filesystem::path& path,
                                                           const PipelineCacheIdentity& identity);

// Writes `data` to `path` through a temporary file in the same folder and a rename, so that a crash
// or a second daemon never leaves a half-written cache behind.
absl::Status WritePipelineCacheFile(const std::filesystem::path& path,
                                    std::span<const uint8_t> data);

}  // namespace inferd::vulkan
