// ModelPushOverlay: where the files a client pushes with a load (Triton's `file:<version>/<path>`
// load parameters) are written — a private 0700 folder the daemon makes at start-up, away from the
// repository the operator gave, and removes at exit. Each pushed model is written whole into a
// staging folder and renamed into place, so that a load never sees half of it; names are checked
// so that nothing lands outside the overlay, and the count and bytes of a push are bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model_config.pb.h"

namespace inferd {

// 256 MiB: several times any example model, small enough for a tmpfs $TMPDIR.
inline constexpr uint64_t kDefaultMaxModelPushBytes = uint64_t{256} << 20;
inline constexpr size_t kDefaultMaxModelPushFiles = 64;
// A pushed file name (what follows "file:"): at most this many bytes, components and bytes a
// component.
inline constexpr size_t kMaxPushedNameBytes = 1024;
inline constexpr size_t kMaxPushedNameDepth = 16;
inline constexpr size_t kMaxPushedComponentBytes = 255;

struct ModelPushLimits {
  uint64_t max_bytes = kDefaultMaxModelPushBytes;  // --max-model-push-bytes: all files of one load
  size_t max_files = kDefaultMaxModelPushFiles;    // --max-model-push-files
};

// One pushed file: `path` relative to the model folder ("1/model.tosa"), already checked.
struct PushedFile {
  std::string path;
  std::string contents;
};

// What a load request overrides: the configuration (Triton's `config`) and, when `files` is not
// empty, every file of the model (Triton's `file:` parameters): the repository is not read then.
struct ModelLoadOverride {
  inference::ModelConfig config;
  std::vector<PushedFile> files;
};

// Checks a pushed file name, `name` being what follows "file:". Either "<version>/<path>" with a
// positive decimal version written without leading zeros, or one plain file name beside the config
// (a labels file); never absolute, never an empty, "." or ".." component, no control characters,
// and within the kMaxPushed* bounds. INVALID_ARGUMENT naming the parameter and the rule otherwise.
absl::Status CheckPushedFileName(std::string_view name);

// Adds one file to a running count: RESOURCE_EXHAUSTED, naming the flag, once the files or their
// bytes pass `limits`.
absl::Status CountPushedFile(const ModelPushLimits& limits, size_t bytes, size_t& files,
                             uint64_t& total_bytes);

// One model's pushed files, complete, at path(); removed from disk when the last holder lets go
// (every file is read into memory by the load, so a loaded model needs none of them).
class PushedModelFolder {
 public:
  explicit PushedModelFolder(std::filesystem::path path) : path_(std::move(path)) {}
  PushedModelFolder(const PushedModelFolder&) = delete;
  PushedModelFolder& operator=(const PushedModelFolder&) = delete;
  ~PushedModelFolder();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class ModelPushOverlay {
 public:
  // Makes a fresh private folder "inferd-model-push-XXXXXX" (mode 0700) inside `parent` (empty:
  // $TMPDIR, else /tmp). INVALID_ARGUMENT when `parent` lies inside `repository`: pushed files
  // never go into the operator's repository.
  static absl::StatusOr<std::unique_ptr<ModelPushOverlay>> Create(
      const std::filesystem::path& parent, const std::filesystem::path& repository);
  // Removes the folder and whatever is still in it.
  ~ModelPushOverlay();
  ModelPushOverlay(const ModelPushOverlay&) = delete;
  ModelPushOverlay& operator=(const ModelPushOverlay&) = delete;

  // Writes `files` (names checked by CheckPushedFileName) into a new staging folder, creating each
  // file with O_CREAT|O_EXCL|O_NOFOLLOW and each folder without following links, then renames the
  // staging folder into place. On any failure nothing is left behind. INVALID_ARGUMENT for a name
  // that collides with another (a file where a folder is wanted, or twice the same path).
  absl::StatusOr<std::shared_ptr<const PushedModelFolder>> Write(
      const std::vector<PushedFile>& files);

  const std::filesystem::path& root() const { return root_; }

 private:
  explicit ModelPushOverlay(std::filesystem::path root) : root_(std::move(root)) {}

  std::filesystem::path root_;
  std::mutex mutex_;
  uint64_t next_folder_ = 1;  // guarded by mutex_: names staging and final folders uniquely
};

}  // namespace inferd
