// ModelFileReader: the one way inferd reads a file out of the model repository (model files,
// config.pbtxt). It refuses what a careless or hostile repository could use to hang, exhaust or
// leak the daemon: FIFOs, devices and sockets, links that resolve outside the repository, and
// files over a size limit; and its errors name the file and the problem, never the contents.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd {

// 1 GiB: far above any TOSA or Vela model inferd serves, far below what would hurt the host.
inline constexpr uint64_t kDefaultMaxModelFileSize = uint64_t{1} << 30;
// config.pbtxt is a few kilobytes of text; 1 MiB leaves room for generous comments.
inline constexpr uint64_t kMaxConfigFileSize = uint64_t{1} << 20;

class ModelFileReader {
 public:
  // `repository_root` is the folder every file read must resolve into (after following links).
  ModelFileReader(std::filesystem::path repository_root,
                  uint64_t max_model_file_size = kDefaultMaxModelFileSize);

  // Reads `path` whole if it resolves to a regular file inside the repository of at most
  // `max_bytes` bytes. Never blocks on opening (FIFOs are refused before and after the open) and
  // never reads more than max_bytes + 1 bytes, even from a file that grows meanwhile.
  //   NOT_FOUND: the file does not exist.
  //   PERMISSION_DENIED: it resolves outside the repository, or cannot be opened for permissions.
  //   FAILED_PRECONDITION: not a regular file (its type is named), or larger than the limit.
  //   RESOURCE_EXHAUSTED: the daemon ran out of file descriptors.
  absl::StatusOr<std::vector<uint8_t>> Read(const std::filesystem::path& path,
                                            uint64_t max_bytes) const;

  // Read() with the model file limit (--max-model-file-size).
  absl::StatusOr<std::vector<uint8_t>> ReadModelFile(const std::filesystem::path& path) const;

  // Read() with the config.pbtxt limit (kMaxConfigFileSize), as text.
  absl::StatusOr<std::string> ReadConfigFile(const std::filesystem::path& path) const;

  const std::filesystem::path& repository_root() const { return repository_root_; }
  uint64_t max_model_file_size() const { return max_model_file_size_; }

 private:
  std::filesystem::path repository_root_;
  uint64_t max_model_file_size_;
};

// Whether `path` lies at or below `root`, comparing both component by component as given (pass
// canonical paths: this resolves nothing).
bool IsPathInside(const std::filesystem::path& root, const std::filesystem::path& path);

// The name of a file type for messages: "a FIFO", "a character device", "a folder", ...
std::string DescribeFileType(unsigned mode);

// A status for a failed file system call on `path`: the errno text, and for EMFILE / ENFILE that
// the daemon ran out of file descriptors (RESOURCE_EXHAUSTED), so that the operator looks at
// descriptors rather than at the file.
absl::Status FileSystemError(int error_number, const char* action,
                             const std::filesystem::path& path);

}  // namespace inferd
