#include "engine/model_push_overlay.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/file_descriptor.h"
#include "engine/model_file_reader.h"
#include "spdlog/spdlog.h"

namespace inferd {
namespace fs = std::filesystem;

namespace {

// The name as a client wrote it, shortened: it is client text and may be long.
std::string Quoted(std::string_view name) {
  constexpr size_t kShown = 128;
  return absl::StrCat("'file:", std::string(name.substr(0, kShown)),
                      name.size() > kShown ? "...'" : "'");
}

absl::Status BadName(std::string_view name, std::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid file parameter ", Quoted(name), ": ", std::string(rule)));
}

// `name` cut at each '/' (empty parts kept, so that "a//b" shows one).
std::vector<std::string_view> Components(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = name.find('/', start);
    parts.push_back(name.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool IsVersion(std::string_view component) {
  if (component.empty() || component.size() > 18 || component[0] == '0') return false;
  for (char c : component) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// mkdir + open of one folder below `parent`, never following a link: O_NOFOLLOW|O_DIRECTORY fails
// on a link or a file of that name.
absl::StatusOr<FileDescriptor> OpenFolder(int parent, const std::string& component,
                                          std::string_view name) {
  if (::mkdirat(parent, component.c_str(), 0700) != 0 && errno != EEXIST) {
    return FileSystemError(errno, "cannot create folder", component);
  }
  FileDescriptor fd(
      ::openat(parent, component.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOTDIR || errno == ELOOP) {
      // Triton's wording for a folder whose name another file parameter already took.
      return BadName(name, "directory has been created as a file");
    }
    return FileSystemError(errno, "cannot open folder", component);
  }
  return fd;
}

absl::Status WriteAll(int fd, const std::string& contents, const fs::path& path) {
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t count = ::write(fd, contents.data() + written, contents.size() - written);
    if (count < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOSPC || errno == EDQUOT) {
        return absl::ResourceExhaustedError(
            absl::StrCat("cannot write pushed file ", path.string(), ": ", std::strerror(errno)));
      }
      return FileSystemError(errno, "cannot write pushed file", path);
    }
    written += static_cast<size_t>(count);
  }
  return absl::OkStatus();
}

// Writes one checked file below the folder `root_fd`.
absl::Status WriteFile(int root_fd, const PushedFile& file) {
  const std::vector<std::string_view> components = Components(file.path);
  FileDescriptor folder(::dup(root_fd));
  if (folder.get() < 0) return FileSystemError(errno, "cannot duplicate", "a descriptor");
  for (size_t i = 0; i + 1 < components.size(); ++i) {
    auto next = OpenFolder(folder.get(), std::string(components[i]), file.path);
    if (!next.ok()) return next.status();
    folder = *std::move(next);
  }
  const FileDescriptor out(::openat(folder.get(), std::string(components.back()).c_str(),
                                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (out.get() < 0) {
    if (errno == EEXIST)
      return BadName(file.path, "another file parameter already wrote this path");
    return FileSystemError(errno, "cannot create pushed file", file.path);
  }
  return WriteAll(out.get(), file.contents, file.path);
}

void RemoveTree(const fs::path& path) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) spdlog::warn("cannot remove {}: {}", path.string(), error.message());
}

}  // namespace

absl::Status CheckPushedFileName(std::string_view name) {
  if (name.empty()) return BadName(name, "the file name is empty");
  if (name.size() > kMaxPushedNameBytes) {
    return BadName(name, absl::StrCat("the name is longer than ", kMaxPushedNameBytes, " bytes"));
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return BadName(name, "the name contains a control character");
    }
  }
  if (name.front() == '/') {
    return BadName(name, "the name must be relative to the model folder, not absolute");
  }
  const std::vector<std::string_view> components = Components(name);
  if (components.size() > kMaxPushedNameDepth) {
    return BadName(name, absl::StrCat("the name has more than ", kMaxPushedNameDepth, " parts"));
  }
  for (std::string_view component : components) {
    if (component.empty() || component == "." || component == "..") {
      return BadName(name, "empty, '.' and '..' path components are not allowed");
    }
    if (component.size() > kMaxPushedComponentBytes) {
      return BadName(name, absl::StrCat("a path component is longer than ",
                                        kMaxPushedComponentBytes, " bytes"));
    }
  }
  if (components.size() == 1) {
    if (IsVersion(components[0])) {
      return BadName(name, "a version folder needs a file in it, as in file:1/model.tosa");
    }
    if (components[0] == "config.pbtxt") {
      return BadName(name, "the configuration is given by the 'config' load parameter");
    }
    return absl::OkStatus();  // beside config.pbtxt, e.g. a labels file
  }
  if (!IsVersion(components[0])) {
    return BadName(name,
                   "the name must be <version>/<file>, the version a positive integer without "
                   "leading zeros (as in file:1/model.tosa), or one file name beside the config");
  }
  return absl::OkStatus();
}

absl::Status CountPushedFile(const ModelPushLimits& limits, size_t bytes, size_t& files,
                             uint64_t& total_bytes) {
  ++files;
  total_bytes += bytes;
  if (files > limits.max_files) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the load pushes more than ", limits.max_files,
                     " files, the limit of --max-model-push-files"));
  }
  if (total_bytes > limits.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the load pushes more than ", limits.max_bytes,
                     " bytes of files, the limit of --max-model-push-bytes"));
  }
  return absl::OkStatus();
}

PushedModelFolder::~PushedModelFolder() { RemoveTree(path_); }

absl::StatusOr<std::unique_ptr<ModelPushOverlay>> ModelPushOverlay::Create(
    const fs::path& parent, const fs::path& repository) {
  fs::path base = parent;
  if (base.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    base = tmpdir != nullptr && *tmpdir != '\0' ? fs::path(tmpdir) : fs::path("/tmp");
  }
  std::error_code error;
  const fs::path resolved_base = fs::canonical(base, error);
  if (error || !fs::is_directory(resolved_base, error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model push folder ", base.string(), " is not an existing folder (--model-push-dir)"));
  }
  const fs::path resolved_repository = fs::canonical(repository, error);
  if (!error && IsPathInside(resolved_repository, resolved_base)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--model-push-dir ", base.string(), " lies inside the model repository ",
        resolved_repository.string(), "; pushed files are never written into the repository"));
  }
  std::string pattern = (resolved_base / "inferd-model-push-XXXXXX").string();
  // mkdtemp makes the folder with mode 0700 and a name no one else holds.
  if (::mkdtemp(pattern.data()) == nullptr) {
    return FileSystemError(errno, "cannot create the model push folder in", resolved_base);
  }
  return std::unique_ptr<ModelPushOverlay>(new ModelPushOverlay(fs::path(pattern)));
}

ModelPushOverlay::~ModelPushOverlay() { RemoveTree(root_); }

absl::StatusOr<std::shared_ptr<const PushedModelFolder>> ModelPushOverlay::Write(
    const std::vector<PushedFile>& files) {
  uint64_t number;
  {
    std::lock_guard lock(mutex_);
    number = next_folder_++;
  }
  const std::string staging_name = absl::StrCat("staging-", number);
  const std::string final_name = absl::StrCat("model-", number);
  const FileDescriptor root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.get() < 0) return FileSystemError(errno, "cannot open the model push folder", root_);
  if (::mkdirat(root.get(), staging_name.c_str(), 0700) != 0) {
    return FileSystemError(errno, "cannot create", root_ / staging_name);
  }
  absl::Status status = absl::OkStatus();
  {
    FileDescriptor staging(::openat(root.get(), staging_name.c_str(),
                                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (staging.get() < 0) status = FileSystemError(errno, "cannot open", root_ / staging_name);
    for (const PushedFile& file : files) {
      if (!status.ok()) break;
      if (status = CheckPushedFileName(file.path); status.ok()) {
        status = WriteFile(staging.get(), file);
      }
    }
  }
  if (status.ok() &&
      ::renameat(root.get(), staging_name.c_str(), root.get(), final_name.c_str()) != 0) {
    status = FileSystemError(errno, "cannot rename into place", root_ / staging_name);
  }
  if (!status.ok()) {
    RemoveTree(root_ / staging_name);
    return status;
  }
  return std::make_shared<const PushedModelFolder>(root_ / final_name);
}

}  // namespace inferd
