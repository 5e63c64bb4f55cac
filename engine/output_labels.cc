#include "engine/output_labels.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace inferd {

absl::StatusOr<std::vector<std::vector<std::string>>> ReadOutputLabels(
    const ModelFileReader& files, const std::filesystem::path& model_dir,
    const inference::ModelConfig& config) {
  std::vector<std::vector<std::string>> labels(config.output_size());
  for (int i = 0; i < config.output_size(); ++i) {
    const std::string& file_name = config.output(i).label_filename();
    if (file_name.empty()) continue;
    const std::string where =
        absl::StrCat("model '", config.name(), "' output '", config.output(i).name(), "'");
    if (file_name.find('/') != std::string::npos || file_name == "." || file_name == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": label_filename '", file_name,
                       "' must be a plain file name in the model's folder"));
    }
    auto text = files.ReadConfigFile(model_dir / file_name);
    if (!text.ok()) {
      return absl::Status(text.status().code(),
                          absl::StrCat(where, ": label file: ", text.status().message()));
    }
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      labels[i].emplace_back(line);
    }
    // A final newline ends the last line rather than starting an empty one.
    if (!labels[i].empty() && labels[i].back().empty()) labels[i].pop_back();
  }
  return labels;
}

}  // namespace inferd
