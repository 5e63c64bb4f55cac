// SystemSharedMemory: Triton's system shared-memory extension — regions of POSIX shared-memory
// objects that clients register by name and then name in requests instead of sending tensor
// bytes. Transport-free, so that the gRPC and HTTP endpoints share one registry.
//
// A region is read and written through its descriptor (pread/pwrite), never through a mapping:
// the client owns the object and can shrink it at any time, and touching a mapping past the end
// of a shrunk object kills the daemon with SIGBUS. Through the descriptor a shrunk object is a
// short read or a size check that fails, answered with an error. It costs one copy of each
// tensor, small beside what the same bytes cost in a gRPC message.
//
// Only POSIX shm names are accepted as keys ("/name", opened with shm_open, so under /dev/shm),
// never paths: see docs/security.md for what registering lets a client make the daemon read.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inferd {

struct SharedMemoryLimits {
  size_t max_regions = 64;                       // --max-shared-memory-regions
  uint64_t max_total_bytes = uint64_t{1} << 30;  // --max-shared-memory-bytes, all regions together
};

// A registered region, as SystemSharedMemoryStatus reports it.
struct SharedMemoryRegionStatus {
  std::string name;
  std::string key;
  uint64_t offset = 0;
  uint64_t byte_size = 0;
};

// Where a request's tensor lives: Triton's shared_memory_region, shared_memory_offset (from the
// region's start) and shared_memory_byte_size parameters.
struct SharedMemoryReference {
  std::string region;
  uint64_t offset = 0;
  uint64_t byte_size = 0;
};

// Whether `key` is a POSIX shm name inferd opens: '/', then 1 to 255 letters, digits, '.', '_' or
// '-', and not "." or "..". INVALID_ARGUMENT saying what is wrong otherwise.
absl::Status CheckSharedMemoryKey(const std::string& key);

class SystemSharedMemory {
 public:
  explicit SystemSharedMemory(SharedMemoryLimits limits) : limits_(limits) {}
  ~SystemSharedMemory();
  SystemSharedMemory(const SystemSharedMemory&) = delete;
  SystemSharedMemory& operator=(const SystemSharedMemory&) = delete;

  // Opens shm object `key` and registers bytes [offset, offset + byte_size) of it as `name`.
  // ALREADY_EXISTS for a name in use; INVALID_ARGUMENT for a bad key or size, an object that
  // cannot be opened or is smaller than the region; RESOURCE_EXHAUSTED beyond the limits.
  absl::Status Register(const std::string& name, const std::string& key, uint64_t offset,
                        uint64_t byte_size);

  // Closes region `name` (every region for ""). A name that is not registered is not an error,
  // as in Triton. Requests already decoded keep the bytes they read; outputs still to be written
  // to the region fail.
  absl::Status Unregister(const std::string& name);

  // Every region for "", else the one named; NOT_FOUND when it is not registered.
  absl::StatusOr<std::vector<SharedMemoryRegionStatus>> Status(const std::string& name) const;

  // NOT_FOUND for an unregistered region; INVALID_ARGUMENT when [offset, offset + byte_size) does
  // not lie within the region. `what` names the tensor in messages.
  absl::Status Check(const SharedMemoryReference& reference, const std::string& what) const;

  // A copy of the bytes `reference` names, after Check.
  absl::StatusOr<std::shared_ptr<std::vector<uint8_t>>> Read(const SharedMemoryReference& reference,
                                                             const std::string& what) const;

  // Writes `bytes` at the start of what `reference` names, after Check and a check that they fit.
  absl::Status Write(const SharedMemoryReference& reference, std::span<const uint8_t> bytes,
                     const std::string& what) const;

 private:
  struct Region;
  // The region `reference` names, checked as Check does.
  absl::StatusOr<std::shared_ptr<const Region>> Find(const SharedMemoryReference& reference,
                                                     const std::string& what) const;

  const SharedMemoryLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Region>> regions_;
  uint64_t total_bytes_ = 0;
};

}  // namespace inferd
