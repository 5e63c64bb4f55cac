#include "engine/model_file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/file_descriptor.h"

namespace inferd {
namespace fs = std::filesystem;

namespace {

// realpath(3), which resolves every link without opening the file.
absl::StatusOr<fs::path> RealPath(const fs::path& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr),
                                                       &std::free);
  if (resolved == nullptr) return FileSystemError(errno, "cannot resolve", path);
  return fs::path(resolved.get());
}

absl::Status CheckRegular(const struct stat& info, const fs::path& path) {
  if (S_ISREG(info.st_mode)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(path.string(), " is ",
                                                    DescribeFileType(info.st_mode),
                                                    ", not a regular file; inferd reads only "
                                                    "regular files from the model repository"));
}

absl::Status TooLarge(const fs::path& path, uint64_t max_bytes, const char* how) {
  return absl::FailedPreconditionError(
      absl::StrCat(path.string(), " ", how, " the limit of ", max_bytes, " bytes for this file"));
}

}  // namespace

bool IsPathInside(const fs::path& root, const fs::path& path) {
  auto root_it = root.begin();
  auto path_it = path.begin();
  for (; root_it != root.end(); ++root_it, ++path_it) {
    if (path_it == path.end() || *root_it != *path_it) return false;
  }
  return true;
}

std::string DescribeFileType(unsigned mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "a special file";
}

absl::Status FileSystemError(int error_number, const char* action, const fs::path& path) {
  const std::string what = std::strerror(error_number);
  switch (error_number) {
    case EMFILE:
    case ENFILE:
      return absl::ResourceExhaustedError(
          absl::StrCat(action, " ", path.string(), ": the daemon ran out of file descriptors (",
                       what, "); raise its descriptor limit (ulimit -n) or reduce connections"));
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(absl::StrCat(action, " ", path.string(), ": ", what));
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(absl::StrCat(action, " ", path.string(), ": ", what));
    case ENOMEM:
      return absl::ResourceExhaustedError(absl::StrCat(action, " ", path.string(), ": ", what));
    default:
      return absl::InternalError(absl::StrCat(action, " ", path.string(), ": ", what));
  }
}

ModelFileReader::ModelFileReader(fs::path repository_root, uint64_t max_model_file_size)
    : repository_root_(std::move(repository_root)), max_model_file_size_(max_model_file_size) {}

absl::StatusOr<std::vector<uint8_t>> ModelFileReader::Read(const fs::path& path,
                                                           uint64_t max_bytes) const {
  auto root = RealPath(repository_root_);
  if (!root.ok()) return root.status();
  auto resolved = RealPath(path);
  if (!resolved.ok()) return resolved.status();
  if (!IsPathInside(*root, *resolved)) {
    return absl::PermissionDeniedError(absl::StrCat(
        path.string(), " resolves (through a symbolic link) outside the model repository ",
        root->string(), "; inferd reads only files inside it"));
  }
  // stat before open: opening a device can have side effects, and only regular files are wanted.
  struct stat info {};
  if (::stat(resolved->c_str(), &info) != 0) return FileSystemError(errno, "cannot stat", path);
  if (auto status = CheckRegular(info, path); !status.ok()) return status;
  if (static_cast<uint64_t>(info.st_size) > max_bytes) {
    return TooLarge(path, max_bytes, absl::StrCat("is ", info.st_size, " bytes, over").c_str());
  }

  // O_NONBLOCK: should the file have been swapped for a FIFO since the stat, the open still
  // returns at once (and fstat refuses it). O_NOFOLLOW: the resolved path has no link left in it,
  // so a link there now is a swap too.
  const FileDescriptor fd(
      ::open(resolved->c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW));
  if (fd.get() < 0) return FileSystemError(errno, "cannot open", path);
  if (::fstat(fd.get(), &info) != 0) return FileSystemError(errno, "cannot stat", path);
  if (auto status = CheckRegular(info, path); !status.ok()) return status;

  // Sized from fstat, but bounded by reading: the file may grow (or lie about its size) meanwhile.
  std::vector<uint8_t> bytes;
  const uint64_t expected = std::min<uint64_t>(static_cast<uint64_t>(info.st_size), max_bytes);
  bytes.resize(static_cast<size_t>(expected) + 1);
  size_t filled = 0;
  while (true) {
    if (filled == bytes.size()) {
      if (filled > max_bytes) {
        return TooLarge(path, max_bytes, "grew while being read, over");
      }
      bytes.resize(static_cast<size_t>(std::min<uint64_t>(max_bytes + 1, bytes.size() * 2)));
    }
    const ssize_t count = ::read(fd.get(), bytes.data() + filled, bytes.size() - filled);
    if (count < 0) {
      if (errno == EINTR) continue;
      return FileSystemError(errno, "cannot read", path);
    }
    if (count == 0) break;
    filled += static_cast<size_t>(count);
  }
  if (filled > max_bytes) return TooLarge(path, max_bytes, "grew while being read, over");
  bytes.resize(filled);  // no shrink_to_fit: that would copy a large model once more
  return bytes;
}

absl::StatusOr<std::vector<uint8_t>> ModelFileReader::ReadModelFile(const fs::path& path) const {
  return Read(path, max_model_file_size_);
}

absl::StatusOr<std::string> ModelFileReader::ReadConfigFile(const fs::path& path) const {
  auto bytes = Read(path, kMaxConfigFileSize);
  if (!bytes.ok()) return bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace inferd
