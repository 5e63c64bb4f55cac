// The label files of a model's outputs (config.pbtxt `label_filename`, Triton's field): one label a
// line, the label of class i on line i, used by classification outputs ("value:index:label").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model_file_reader.h"
#include "model_config.pb.h"

namespace inferd {

// One list per config output, in config order; empty for an output without a label file. A label
// file is a plain file name in the model's folder, read through `files` (inside the repository,
// regular, at most kMaxConfigFileSize bytes); errors name the output and the file.
absl::StatusOr<std::vector<std::vector<std::string>>> ReadOutputLabels(
    const ModelFileReader& files, const std::filesystem::path& model_dir,
    const inference::ModelConfig& config);

}  // namespace inferd
