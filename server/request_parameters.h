// The request-level `parameters` of a KServe/Triton ModelInferRequest: each known one is honoured
// or refused with a message, never ignored. inferd honours `timeout` (microseconds, tightening the
// deadline), accepts the values tritonclient sends by default (priority 0, no sequence,
// binary_data_output) and refuses the rest, naming what it supports.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "inference.pb.h"
#include "server/shared_memory/system_shared_memory.h"

namespace inferd {

struct RequestParameters {
  // Triton's `timeout`: how long the request may take from its arrival; none when absent or 0.
  std::optional<absl::Duration> timeout;
  // Triton's `triton_enable_empty_final_response` (streaming): each response then says whether it
  // is the request's last (`triton_final_response`); inferd's models answer once, so always true.
  bool enable_final_response_flag = false;
};

// INVALID_ARGUMENT, prefixed with `where` (e.g. "model 'x' version 1"), for a parameter inferd does
// not support, a value it cannot honour, or a value of the wrong type.
absl::StatusOr<RequestParameters> ParseRequestParameters(
    const inference::ModelInferRequest& request, const std::string& where);

// The deadline a request must meet: the earlier of the client's gRPC deadline and its `timeout`
// counted from `arrival`.
absl::Time EffectiveDeadline(absl::Time grpc_deadline, const RequestParameters& parameters,
                             absl::Time arrival);

// A tensor's parameters: Triton's shared_memory_region, shared_memory_byte_size and (optional)
// shared_memory_offset, which say that its bytes are in a registered system shared-memory region
// (nullopt when none is given); binary_data and binary_data_size (tritonclient's HTTP framing) are
// accepted, as the gRPC protocol always carries raw bytes. INVALID_ARGUMENT, prefixed with
// `where`, for any other parameter, a value of the wrong type, or a region without its byte size.
absl::StatusOr<std::optional<SharedMemoryReference>> ParseTensorParameters(
    const google::protobuf::Map<std::string, inference::InferParameter>& parameters,
    const std::string& where);

struct OutputParameters {
  // Triton's `classification`: return the top k classes instead of the tensor; 0: the tensor.
  int64_t class_count = 0;
  // Where to write the tensor instead of the response.
  std::optional<SharedMemoryReference> shared_memory;
};

// The parameters of a requested output: those of ParseTensorParameters and `classification` (an
// integer k >= 0). INVALID_ARGUMENT, prefixed with `where`, for anything else.
absl::StatusOr<OutputParameters> ParseOutputParameters(
    const google::protobuf::Map<std::string, inference::InferParameter>& parameters,
    const std::string& where);

}  // namespace inferd
