#include "engine/serving_model.h"

#include <utility>

#include "engine/model_config.h"

namespace inferd {

ServingModel::ServingModel(inference::ModelConfig config, int64_t version, std::string platform,
                           std::unique_ptr<Scheduler> scheduler,
                           std::shared_ptr<ModelStatistics> statistics,
                           std::vector<std::vector<std::string>> output_labels,
                           std::string load_note)
    : config_(std::move(config)),
      version_(version),
      platform_(std::move(platform)),
      inputs_(InputSpecs(config_)),
      outputs_(OutputSpecs(config_)),
      output_labels_(std::move(output_labels)),
      load_note_(std::move(load_note)),
      statistics_(std::move(statistics)),
      scheduler_(std::move(scheduler)) {}

absl::Status ServingModel::Submit(std::unique_ptr<InferenceRequest> request) {
  return scheduler_->Enqueue(std::move(request));
}

void ServingModel::Drain() { scheduler_->Drain(); }

}  // namespace inferd
