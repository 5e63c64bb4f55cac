// Batch assembly: joins requests' inputs along the batch dimension for one execution and splits the
// outputs back per request. A batch of one request passes its tensors through without a copy.
#pragma once

#include <memory>
#include <vector>

#include "engine/backend.h"
#include "engine/inference_request.h"

namespace inferd {

std::vector<Tensor> AssembleBatchInputs(
    const std::vector<std::unique_ptr<InferenceRequest>>& requests);

// One response per request, each holding views of its own rows of `result` (no copies). When the
// model does not batch (`batched` false) there is exactly one request and it gets the outputs as
// they are.
std::vector<InferenceResponse> SplitBatchOutputs(
    const std::vector<std::unique_ptr<InferenceRequest>>& requests, const BatchResult& result,
    bool batched);

}  // namespace inferd
