// Model configuration: reads config.pbtxt (Triton's text format), fills defaults, and checks the
// parts inferd acts on, so that everything downstream can trust the config it is handed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/backend.h"
#include "engine/data_type.h"
#include "engine/model_file_reader.h"
#include "model_config.pb.h"

namespace inferd {

// Parses config.pbtxt text. `model_name` names the model in error messages. Parse errors name the
// line, column and kind of mistake but quote nothing from the text.
absl::StatusOr<inference::ModelConfig> ParseModelConfig(const std::string& text,
                                                        const std::string& model_name);

// Parses the JSON form of a config (protobuf's JSON mapping of ModelConfig, as Triton's `config`
// load parameter carries it; proto field names or their lowerCamelCase). INVALID_ARGUMENT with
// Triton's "Invalid config override: ..." for text over kMaxConfigFileSize, malformed JSON or
// unknown fields.
absl::StatusOr<inference::ModelConfig> ParseModelConfigJson(const std::string& json);

// Reads (through `reader`: regular file inside the repository, size-capped) and parses a
// config.pbtxt.
absl::StatusOr<inference::ModelConfig> ReadModelConfigFile(const std::filesystem::path& path,
                                                           const std::string& model_name,
                                                           const ModelFileReader& reader);

// Fills what a config may leave out (name from the folder, backend, one CPU instance, the latest-1
// version policy, the model file name) and rejects what inferd does not serve (sequence batching,
// ensembles, decoupled models, tensors without a type, a name that differs from the folder).
absl::Status NormalizeModelConfig(const std::string& model_name, const std::string& default_backend,
                                  inference::ModelConfig& config);

// Conversions between the config's TYPE_* enum and the engine's DataType.
DataType DataTypeFromConfig(inference::DataType type);
inference::DataType DataTypeToConfig(DataType type);

// The config's inputs/outputs as engine TensorSpecs (dims without the batch dimension).
std::vector<TensorSpec> InputSpecs(const inference::ModelConfig& config);
std::vector<TensorSpec> OutputSpecs(const inference::ModelConfig& config);

}  // namespace inferd
