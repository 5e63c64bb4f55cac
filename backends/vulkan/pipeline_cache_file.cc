#include "backends/vulkan/pipeline_cache_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace inferd::vulkan {
namespace {

// VkPipelineCacheHeaderVersionOne: headerSize, headerVersion, vendorID, deviceID (u32 each), then
// pipelineCacheUUID; all little-endian on the hosts inferd runs on.
constexpr size_t kHeaderBytes = 16 + VK_UUID_SIZE;

uint32_t ReadU32(const uint8_t* bytes) {
  uint32_t value;
  std::memcpy(&value, bytes, sizeof(value));
  return value;
}

std::string Hex(std::span<const uint8_t> bytes) {
  std::string text;
  for (uint8_t byte : bytes) absl::StrAppendFormat(&text, "%02x", byte);
  return text;
}

}  // namespace

std::string PipelineCacheFileName(const PipelineCacheIdentity& identity) {
  return absl::StrFormat("inferd-pipelines-%04x-%04x-%s.bin", identity.vendor_id,
                         identity.device_id, Hex(identity.cache_uuid));
}

absl::StatusOr<std::vector<uint8_t>> ReadPipelineCacheFile(const std::filesystem::path& path,
                                                           const PipelineCacheIdentity& identity) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error == std::errc::no_such_file_or_directory) return std::vector<uint8_t>{};
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", path.string(), ": ", error.message()));
  }
  if (size > kMaxPipelineCacheFileBytes) {
    return absl::FailedPreconditionError(absl::StrCat(path.string(), " has ", size,
                                                      " bytes, more than the ",
                                                      kMaxPipelineCacheFileBytes, " read"));
  }
  std::vector<uint8_t> data(size);
  std::ifstream file(path, std::ios::binary);
  if (!file.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size))) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path.string()));
  }
  if (data.size() < kHeaderBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), " is shorter than a pipeline cache header"));
  }
  const uint32_t header_size = ReadU32(data.data());
  const uint32_t header_version = ReadU32(data.data() + 4);
  if (header_size < kHeaderBytes || header_size > data.size() ||
      header_version != VK_PIPELINE_CACHE_HEADER_VERSION_ONE) {
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), " does not start with a version-one pipeline cache header"));
  }
  PipelineCacheIdentity found;
  found.vendor_id = ReadU32(data.data() + 8);
  found.device_id = ReadU32(data.data() + 12);
  std::memcpy(found.cache_uuid.data(), data.data() + 16, VK_UUID_SIZE);
  if (found.vendor_id != identity.vendor_id || found.device_id != identity.device_id ||
      found.cache_uuid != identity.cache_uuid) {
    return absl::FailedPreconditionError(absl::StrCat(path.string(),
                                                      " was written for another device or driver (",
                                                      PipelineCacheFileName(found), ")"));
  }
  return data;
}

absl::Status WritePipelineCacheFile(const std::filesystem::path& path,
                                    std::span<const uint8_t> data) {
  const std::filesystem::path temporary =
      path.parent_path() / absl::StrCat(".", path.filename().string(), ".", getpid(), ".tmp");
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", temporary.string(), ": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      close(fd);
      unlink(temporary.c_str());
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write ", temporary.string(), ": ", reason));
    }
    written += static_cast<size_t>(n);
  }
  if (close(fd) != 0 || rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    unlink(temporary.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat("cannot replace ", path.string(), ": ", reason));
  }
  return absl::OkStatus();
}

}  // namespace inferd::vulkan
