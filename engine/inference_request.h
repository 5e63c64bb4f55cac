// InferenceRequest: one client request as the engine sees it — inputs already checked against the
// model, a deadline, a cancellation token and the completion to call with the outputs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/cancellation.h"
#include "engine/tensor.h"

namespace inferd {

struct InferenceResponse {
  std::vector<Tensor>
      outputs;  // every model output, in the model's order, this request's rows only
  std::map<std::string, std::string> parameters;  // backend-reported values (target, NPU cycles…)
};

using InferenceCallback = std::function<void(absl::StatusOr<InferenceResponse>)>;

struct InferenceRequest {
  std::vector<Tensor> inputs;  // model input order; batch dimension first when the model batches
  int64_t batch_size = 1;
  absl::Time deadline = absl::InfiniteFuture();
  std::shared_ptr<CancellationToken> cancellation = std::make_shared<CancellationToken>();
  InferenceCallback on_complete;  // called exactly once
  absl::Time arrival_time = absl::Now();
};

}  // namespace inferd
