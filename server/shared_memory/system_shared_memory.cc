#include "server/shared_memory/system_shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/client_text.h"

namespace inferd {
namespace {

// Region names are the client's labels; bounded so that the registry's keys stay small.
constexpr size_t kMaxRegionNameBytes = 128;
// NAME_MAX of the file system under /dev/shm, less the leading '/'.
constexpr size_t kMaxKeyNameBytes = 255;

// a + b, or false when it overflows.
bool AddWithoutOverflow(uint64_t a, uint64_t b, uint64_t* sum) {
  return !__builtin_add_overflow(a, b, sum);
}

std::string RegionLabel(const std::string& name) {
  return absl::StrCat("shared memory region ", QuoteClientText(name));
}

}  // namespace

struct SystemSharedMemory::Region {
  ~Region() { close(fd); }
  std::string name;
  std::string key;
  uint64_t offset = 0;
  uint64_t byte_size = 0;
  int fd = -1;
};

absl::Status CheckSharedMemoryKey(const std::string& key) {
  const std::string quoted = QuoteClientText(key);
  if (key.empty() || key[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "shared memory key ", quoted, " is not a POSIX shared memory name ('/' then a name)"));
  }
  const std::string_view name = std::string_view(key).substr(1);
  if (name.empty() || name.size() > kMaxKeyNameBytes || name == "." || name == "..") {
    return absl::InvalidArgumentError(absl::StrCat("shared memory key ", quoted,
                                                   " needs a name of 1 to 255 characters after "
                                                   "the '/', other than '.' and '..'"));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          "shared memory key ", quoted,
          " may hold only letters, digits, '.', '_' and '-' after its leading '/'; inferd opens "
          "shared memory objects by name, never other paths"));
    }
  }
  return absl::OkStatus();
}

SystemSharedMemory::~SystemSharedMemory() = default;

absl::Status SystemSharedMemory::Register(const std::string& name, const std::string& key,
                                          uint64_t offset, uint64_t byte_size) {
  if (name.empty()) return absl::InvalidArgumentError("a shared memory region needs a name");
  if (name.size() > kMaxRegionNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(RegionLabel(name), ": names are at most ", kMaxRegionNameBytes, " bytes"));
  }
  if (auto status = CheckSharedMemoryKey(key); !status.ok()) return status;
  uint64_t end = 0;
  if (byte_size == 0 || !AddWithoutOverflow(offset, byte_size, &end) ||
      end > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat(
        RegionLabel(name), ": byte_size must be positive and offset + byte_size a file size"));
  }
  {
    // Checked before opening anything, so that a refused request costs no descriptor.
    std::lock_guard lock(mutex_);
    if (regions_.count(name) > 0) {
      return absl::AlreadyExistsError(absl::StrCat(RegionLabel(name), " already in manager"));
    }
    if (regions_.size() >= limits_.max_regions) {
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot register ", RegionLabel(name), ": ", limits_.max_regions,
                       " regions are registered, the most --max-shared-memory-regions allows"));
    }
    if (byte_size > limits_.max_total_bytes - std::min(total_bytes_, limits_.max_total_bytes)) {
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot register ", RegionLabel(name), " of ", byte_size,
                       " bytes: regions hold ", total_bytes_, " of the ", limits_.max_total_bytes,
                       " bytes --max-shared-memory-bytes allows"));
    }
  }

  auto region = std::make_shared<Region>();
  region->name = name;
  region->key = key;
  region->offset = offset;
  region->byte_size = byte_size;
  // shm_open adds O_NOFOLLOW and O_CLOEXEC; O_RDWR because outputs are written back.
  region->fd = shm_open(key.c_str(), O_RDWR, 0);
  if (region->fd < 0) {
    return absl::InvalidArgumentError(absl::StrCat("unable to open shared memory key ",
                                                   QuoteClientText(key), " for ", RegionLabel(name),
                                                   ": ", std::strerror(errno)));
  }
  struct stat info {};
  if (fstat(region->fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("shared memory key ", QuoteClientText(key), " is not a shared memory object"));
  }
  if (static_cast<uint64_t>(info.st_size) < end) {
    return absl::InvalidArgumentError(
        absl::StrCat(RegionLabel(name), ": shared memory object ", QuoteClientText(key), " holds ",
                     info.st_size, " bytes, fewer than offset + byte_size = ", end));
  }

  std::lock_guard lock(mutex_);
  // Checked again: another registration may have taken the name or the room meanwhile.
  if (regions_.count(name) > 0) {
    return absl::AlreadyExistsError(absl::StrCat(RegionLabel(name), " already in manager"));
  }
  if (regions_.size() >= limits_.max_regions ||
      byte_size > limits_.max_total_bytes - std::min(total_bytes_, limits_.max_total_bytes)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot register ", RegionLabel(name),
                     ": --max-shared-memory-regions or --max-shared-memory-bytes reached"));
  }
  total_bytes_ += byte_size;
  regions_.emplace(name, std::move(region));
  return absl::OkStatus();
}

absl::Status SystemSharedMemory::Unregister(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (name.empty()) {
    regions_.clear();
    total_bytes_ = 0;
    return absl::OkStatus();
  }
  auto found = regions_.find(name);
  if (found == regions_.end()) return absl::OkStatus();
  total_bytes_ -= found->second->byte_size;
  // The descriptor closes when the last request reading or writing the region lets go of it.
  regions_.erase(found);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SharedMemoryRegionStatus>> SystemSharedMemory::Status(
    const std::string& name) const {
  std::lock_guard lock(mutex_);
  std::vector<SharedMemoryRegionStatus> statuses;
  for (const auto& [region_name, region] : regions_) {
    if (!name.empty() && region_name != name) continue;
    statuses.push_back({region->name, region->key, region->offset, region->byte_size});
  }
  if (!name.empty() && statuses.empty()) {
    return absl::NotFoundError(
        absl::StrCat("Unable to find system shared memory region: ", QuoteClientText(name)));
  }
  return statuses;
}

absl::StatusOr<std::shared_ptr<const SystemSharedMemory::Region>> SystemSharedMemory::Find(
    const SharedMemoryReference& reference, const std::string& what) const {
  std::shared_ptr<const Region> region;
  {
    std::lock_guard lock(mutex_);
    auto found = regions_.find(reference.region);
    if (found != regions_.end()) region = found->second;
  }
  if (region == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        what, ": Unable to find system shared memory region: ", QuoteClientText(reference.region)));
  }
  uint64_t end = 0;
  if (!AddWithoutOverflow(reference.offset, reference.byte_size, &end) || end > region->byte_size) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": shared_memory_offset ", reference.offset,
                     " + shared_memory_byte_size ", reference.byte_size, " exceeds the ",
                     region->byte_size, " bytes of ", RegionLabel(region->name)));
  }
  return region;
}

absl::Status SystemSharedMemory::Check(const SharedMemoryReference& reference,
                                       const std::string& what) const {
  return Find(reference, what).status();
}

absl::StatusOr<std::shared_ptr<std::vector<uint8_t>>> SystemSharedMemory::Read(
    const SharedMemoryReference& reference, const std::string& what) const {
  auto region = Find(reference, what);
  if (!region.ok()) return region.status();
  auto bytes = std::make_shared<std::vector<uint8_t>>(reference.byte_size);
  size_t done = 0;
  const off_t start = static_cast<off_t>((*region)->offset + reference.offset);
  while (done < bytes->size()) {
    const ssize_t count = pread((*region)->fd, bytes->data() + done, bytes->size() - done,
                                start + static_cast<off_t>(done));
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": cannot read ", RegionLabel((*region)->name), " (shared memory object ",
          QuoteClientText((*region)->key),
          "): ", count < 0 ? std::strerror(errno) : "the object is smaller than the region"));
    }
    done += static_cast<size_t>(count);
  }
  return bytes;
}

absl::Status SystemSharedMemory::Write(const SharedMemoryReference& reference,
                                       std::span<const uint8_t> bytes,
                                       const std::string& what) const {
  auto region = Find(reference, what);
  if (!region.ok()) return region.status();
  if (bytes.size() > reference.byte_size) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": shared_memory_byte_size ",
                                                   reference.byte_size, " is too small for the ",
                                                   bytes.size(), " bytes of the result"));
  }
  const uint64_t start = (*region)->offset + reference.offset;
  // A write past the end of a shrunk object would grow it again: refuse instead.
  struct stat info {};
  if (fstat((*region)->fd, &info) != 0 ||
      static_cast<uint64_t>(info.st_size) < start + bytes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": shared memory object ", QuoteClientText((*region)->key),
                     " is smaller than ", RegionLabel((*region)->name)));
  }
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t count = pwrite((*region)->fd, bytes.data() + done, bytes.size() - done,
                                 static_cast<off_t>(start + done));
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      return absl::InternalError(absl::StrCat(what, ": cannot write ", RegionLabel((*region)->name),
                                              ": ", std::strerror(errno)));
    }
    done += static_cast<size_t>(count);
  }
  return absl::OkStatus();
}

}  // namespace inferd
