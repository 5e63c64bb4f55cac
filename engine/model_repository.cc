#include "engine/model_repository.h"

#include <algorithm>
#include <charconv>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "engine/model_file_reader.h"

namespace inferd {
namespace fs = std::filesystem;

namespace {

bool IsPlainName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 255) return false;
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '\0') return false;
  }
  return true;
}

}  // namespace

ModelRepository::ModelRepository(fs::path root) : root_(std::move(root)) {}

absl::Status ModelRepository::CheckExists() const {
  std::error_code error;
  if (!fs::is_directory(root_, error)) {
    return absl::NotFoundError(
        absl::StrCat("model repository '", root_.string(), "' is not a readable folder"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ModelRepository::ListModels() const {
  if (auto status = CheckExists(); !status.ok()) return status;
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root_, error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (entry.is_directory(error)) names.push_back(name);
  }
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot list model repository '", root_.string(), "': ", error.message()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status ModelRepository::CheckModelName(std::string_view name) {
  if (IsPlainName(name)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("'", std::string(name),
                   "' is not a model name: a model is one folder directly inside the repository"));
}

absl::StatusOr<fs::path> ModelRepository::ModelPath(std::string_view name) const {
  if (auto status = CheckModelName(name); !status.ok()) return status;
  std::error_code error;
  const fs::path root = fs::canonical(root_, error);
  if (error) {
    return absl::NotFoundError(
        absl::StrCat("model repository '", root_.string(), "' is not readable: ", error.message()));
  }
  const fs::path candidate = root / std::string(name);
  if (!fs::is_directory(candidate, error)) {
    return absl::NotFoundError(
        absl::StrCat("model '", std::string(name), "' is not in the repository ", root.string()));
  }
  const fs::path resolved = fs::canonical(candidate, error);
  if (error || !IsPathInside(root, resolved)) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", std::string(name), "' resolves outside the model repository"));
  }
  return resolved;
}

std::vector<int64_t> ModelRepository::ListVersions(const fs::path& model_dir) {
  std::vector<int64_t> versions;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(model_dir, error)) {
    if (!entry.is_directory(error)) continue;
    const std::string name = entry.path().filename().string();
    int64_t version = 0;
    const auto [end, parse_error] =
        std::from_chars(name.data(), name.data() + name.size(), version);
    if (parse_error == std::errc() && end == name.data() + name.size() && version > 0) {
      versions.push_back(version);
    }
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

std::string ModelRepository::Fingerprint(const fs::path& model_dir) {
  std::vector<std::string> entries;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(model_dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code entry_error;
    const auto time = fs::last_write_time(it->path(), entry_error).time_since_epoch().count();
    const auto size = it->is_regular_file(entry_error) ? it->file_size(entry_error) : 0;
    entries.push_back(absl::StrCat(it->path().string(), ":", size, ":", time));
  }
  std::sort(entries.begin(), entries.end());
  std::string fingerprint;
  for (const auto& entry : entries) absl::StrAppend(&fingerprint, entry, "\n");
  return fingerprint;
}

}  // namespace inferd
