// Decoding a KServe ModelInferRequest into an engine InferenceRequest: every input checked against
// the model (name, datatype, shape, byte size, typed values in range), requested outputs named once
// each, request parameters honoured or refused, with errors that name the model, the tensor, what
// was expected and what came (client text quoted only up to a short limit). Raw inputs become
// zero-copy views of the request message; inputs in system shared memory are read from their
// region (Triton's shared_memory_* tensor parameters).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/inference_request.h"
#include "engine/serving_model.h"
#include "inference.pb.h"
#include "server/request_parameters.h"
#include "server/shared_memory/system_shared_memory.h"

namespace inferd {

struct DecodedRequest {
  std::unique_ptr<InferenceRequest> request;
  // Indices into model.outputs() of the outputs to return, in the order the client asked for them.
  std::vector<size_t> output_indices;
  // Per entry of output_indices: the top classes to return instead of the tensor (Triton's
  // classification extension), 0 for the tensor itself.
  std::vector<int64_t> class_counts;
  // Per entry of output_indices: the shared-memory region to write the tensor to instead of the
  // response, nullopt for the response.
  std::vector<std::optional<SharedMemoryReference>> output_regions;
  RequestParameters parameters;
};

// Typed `contents` as the raw little-endian bytes of `elements` values of `type`, each checked to
// fit `type`; INVALID_ARGUMENT, prefixed with `where`, when the field for `type` holds the wrong
// number of values or `type` has no typed representation. DecodeInferRequest uses it for typed
// inputs; the HTTP endpoint for JSON inputs of a request whose other inputs are binary.
absl::StatusOr<std::shared_ptr<std::vector<uint8_t>>> TypedContentsToBytes(
    const inference::InferTensorContents& contents, DataType type, int64_t elements,
    const std::string& where);

// `message` must outlive the returned request: raw input tensors view its bytes. Inputs in
// `shared_memory` regions are copied out of them; output regions are checked to exist and fit. A
// request naming a region is refused when `shared_memory` is null.
absl::StatusOr<DecodedRequest> DecodeInferRequest(
    const inference::ModelInferRequest& message, const ServingModel& model,
    const SystemSharedMemory* shared_memory = nullptr);

}  // namespace inferd
