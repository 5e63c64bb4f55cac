// ModelVersionLoader: turns one version folder of a model into a ServingModel — reads the model
// file, parses and validates a TOSA graph once, completes the config from it, asks the backend for
// one Executable per instance and starts the scheduler.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "engine/backend_registry.h"
#include "engine/metrics.h"
#include "engine/model_file_reader.h"
#include "engine/serving_model.h"
#include "model_config.pb.h"

namespace inferd {

struct ModelVersionLoaderOptions {
  std::string default_backend = "tosa_cpu";
  size_t default_max_queue_size = 1024;
};

class ModelVersionLoader {
 public:
  ModelVersionLoader(ModelVersionLoaderOptions options, const BackendRegistry* backends,
                     MetricsRegistry* metrics);

  // `config` is the model's normalized config (inputs/outputs may still be empty: the graph fills
  // them). The model file is read through `files` (regular, inside the repository, size-capped).
  absl::StatusOr<std::shared_ptr<ServingModel>> Load(const ModelFileReader& files,
                                                     const std::filesystem::path& model_dir,
                                                     inference::ModelConfig config,
                                                     int64_t version) const;

  const ModelVersionLoaderOptions& options() const { return options_; }

 private:
  absl::StatusOr<std::shared_ptr<ServingModel>> LoadUntimed(const ModelFileReader& files,
                                                            const std::filesystem::path& model_dir,
                                                            inference::ModelConfig config,
                                                            int64_t version) const;

  ModelVersionLoaderOptions options_;
  const BackendRegistry* backends_;
  MetricsRegistry* metrics_;
};

}  // namespace inferd
