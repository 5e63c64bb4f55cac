// ServingModel: one loaded model version — its final config, its tensors, its scheduler over the
// backend's instances, and its statistics. Requests hold it by shared_ptr, so it outlives its
// unload until the last in-flight request has answered.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/backend.h"
#include "engine/inference_request.h"
#include "engine/model_statistics.h"
#include "engine/scheduler.h"
#include "model_config.pb.h"

namespace inferd {

class ServingModel {
 public:
  ServingModel(inference::ModelConfig config, int64_t version, std::string platform,
               std::unique_ptr<Scheduler> scheduler, std::shared_ptr<ModelStatistics> statistics,
               std::vector<std::vector<std::string>> output_labels = {},
               std::string load_note = "");

  const std::string& name() const { return config_.name(); }
  int64_t version() const { return version_; }
  const inference::ModelConfig& config() const { return config_; }
  const std::string& platform() const { return platform_; }
  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }
  int max_batch_size() const { return config_.max_batch_size(); }
  // The labels of output i's classes (its label_filename), empty when it has none.
  const std::vector<std::string>& output_labels(size_t i) const {
    static const std::vector<std::string> kNone;
    return i < output_labels_.size() ? output_labels_[i] : kNone;
  }
  ModelStatistics& statistics() const { return *statistics_; }
  // What the load found worth showing beside READY in the repository index (a bundled program's
  // self-test result); empty for most models.
  const std::string& load_note() const { return load_note_; }

  // Hands a validated request to the scheduler (see Scheduler::Enqueue for the errors).
  absl::Status Submit(std::unique_ptr<InferenceRequest> request);

  // Time per operator since load, over all instances; empty for backends that do not profile.
  std::vector<OperatorTiming> OperatorProfile() const { return scheduler_->OperatorProfile(); }

  // OK, or why an instance can no longer run (see Executable::Health).
  absl::Status Health() const { return scheduler_->Health(); }

  // Stops taking requests and waits for those already taken to complete.
  void Drain();

  // Answers every request still queued with `status` (see Scheduler::AbortQueued).
  size_t AbortQueued(const absl::Status& status) { return scheduler_->AbortQueued(status); }

 private:
  const inference::ModelConfig config_;
  const int64_t version_;
  const std::string platform_;
  const std::vector<TensorSpec> inputs_;
  const std::vector<TensorSpec> outputs_;
  const std::vector<std::vector<std::string>> output_labels_;
  const std::string load_note_;
  std::shared_ptr<ModelStatistics> statistics_;
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace inferd
