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

// Checks what a backend returned for a batch of `rows` rows against the model's declared
// outputs before anything is sliced from it: one tensor per declared output, of its datatype, its
// shape ([rows, dims...] when `batched`, dims otherwise; a -1 dim matches any size) and exactly
// the bytes that shape holds. A backend that answers short (a kernel that wrote nothing, a target
// that sent back less) fails the batch with INTERNAL naming the output, rather than a response
// that is silently smaller than declared.
absl::Status CheckBatchOutputs(const BatchResult& result, const std::vector<TensorSpec>& outputs,
                               int64_t rows, bool batched);

// One response per request, each holding views of its own rows of `result` (no copies). When the
// model does not batch (`batched` false) there is exactly one request and it gets the outputs as
// they are.
std::vector<InferenceResponse> SplitBatchOutputs(
    const std::vector<std::unique_ptr<InferenceRequest>>& requests, const BatchResult& result,
    bool batched);

}  // namespace inferd
