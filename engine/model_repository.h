// ModelRepository: the on-disk layout <root>/<model>/config.pbtxt and
// <root>/<model>/<version>/<file>, with the path checks that keep a client-supplied model name from
// reaching outside the repository.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd {

class ModelRepository {
 public:
  explicit ModelRepository(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }

  // NOT_FOUND (with the path) when the repository folder does not exist.
  absl::Status CheckExists() const;

  // Names of the model folders, sorted. Hidden folders are skipped.
  absl::StatusOr<std::vector<std::string>> ListModels() const;

  // INVALID_ARGUMENT unless `name` could be one plain folder name: not empty, ".", "..", nor longer
  // than 255 bytes, without '/', '\\' or NUL. Also what a model pushed under a new name must be.
  static absl::Status CheckModelName(std::string_view name);

  // The folder of model `name`. INVALID_ARGUMENT when `name` is not one plain folder name or
  // resolves (through links) outside the repository; NOT_FOUND when there is no such model.
  absl::StatusOr<std::filesystem::path> ModelPath(std::string_view name) const;

  // The numeric version folders of a model folder, ascending.
  static std::vector<int64_t> ListVersions(const std::filesystem::path& model_dir);

  // Changes whenever a file below the model folder is added, removed, resized or touched: what poll
  // mode compares to decide on a reload.
  static std::string Fingerprint(const std::filesystem::path& model_dir);

 private:
  std::filesystem::path root_;
};

}  // namespace inferd
