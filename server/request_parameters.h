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

// INVALID_ARGUMENT, prefixed with `where`, for tensor-level parameters inferd does not support
// (shared memory); binary_data and binary_data_size (tritonclient's HTTP framing)
// are accepted, as the gRPC protocol always carries raw bytes.
absl::Status CheckTensorParameters(
    const google::protobuf::Map<std::string, inference::InferParameter>& parameters,
    const std::string& where);

// The parameters of a requested output: binary_data / binary_data_size (accepted) and Triton's
// `classification` (an integer k >= 0: return the top k classes instead of the tensor; 0 or absent:
// the tensor itself). Returns k; INVALID_ARGUMENT, prefixed with `where`, for anything else.
absl::StatusOr<int64_t> ParseOutputParameters(
    const google::protobuf::Map<std::string, inference::InferParameter>& parameters,
    const std::string& where);

}  // namespace inferd
