// The body of a KServe v2 HTTP inference request and response, with Triton's binary tensor
// extension: a JSON header, then (when the `Inference-Header-Content-Length` header says where the
// JSON ends) the raw bytes of the inputs that name a `binary_data_size`, in input order. Inputs and
// outputs may instead name a system shared-memory region (`shared_memory_region` parameters), which
// the decoder and the service read and write; such an output is answered with its parameters only.
// Requests become the same ModelInferRequest a gRPC client sends, so the gRPC decoder checks them
// (names, datatypes, shapes, sizes, values); responses come from the same ModelInferResponse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "inference.pb.h"

namespace inferd::http {

// The most levels of nested arrays and objects a JSON body may have; deeper ones are refused while
// parsing, which also bounds what a parsed document can cost (JsonMemoryEstimate).
inline constexpr int kMaxJsonDepth = 32;

// Bytes a parsed JSON text of `json_bytes` may hold at most in memory: each byte of JSON can
// become up to about 32 bytes of document (an empty object in an array is 3 bytes of text and
// about 96 of memory). Reserved from the request memory budget before parsing.
inline int64_t JsonMemoryEstimate(size_t json_bytes) {
  return static_cast<int64_t>(json_bytes) * 32;
}

struct HttpInferRequest {
  // model_name and model_version are left for the caller, who has them from the URL.
  std::shared_ptr<inference::ModelInferRequest> message;
  // How outputs are returned: as binary data after the JSON (true) or as JSON `data` arrays.
  // The request's `binary_data_output` parameter sets the default; an output's own `binary_data`
  // parameter overrides it.
  bool binary_outputs_by_default = false;
  std::map<std::string, bool> binary_output;  // by output name
};

// The size of the JSON part of a body of `body_size` bytes from the
// `Inference-Header-Content-Length` header's value; INVALID_ARGUMENT when it is not a decimal
// number of at most `body_size`.
absl::StatusOr<size_t> ParseInferenceHeaderLength(std::string_view value, size_t body_size);

// Parses an inference request body whose first `json_size` bytes are JSON (all of it when
// `json_size` is nullopt). INVALID_ARGUMENT names what is wrong: bad JSON (with its position),
// a missing or mistyped field, binary data that does not add up to the bytes after the JSON.
absl::StatusOr<HttpInferRequest> ParseHttpInferRequest(std::string_view body,
                                                       std::optional<size_t> json_size);

struct HttpInferBody {
  std::string body;
  // Set when some output is binary: the JSON header's size, for Inference-Header-Content-Length.
  std::optional<size_t> json_size;
};

// The response body for `response`, each output as JSON data or binary as `request` asked.
absl::StatusOr<HttpInferBody> EncodeHttpInferResponse(const inference::ModelInferResponse& response,
                                                      const HttpInferRequest& request);

}  // namespace inferd::http
