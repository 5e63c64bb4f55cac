// gRPC unary ModelInfer callers for the closed loop: one per client thread, on that thread's
// channel, sending the pool's pre-serialised requests.
#pragma once

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

#include <string>

#include "absl/time/time.h"
#include "benchmarks/serving/channel_pool.h"
#include "benchmarks/serving/infer_request_set.h"
#include "benchmarks/serving/request_caller.h"

namespace inferd::bench {

// Callers of ModelInfer on `channels` with `requests`; both must outlive the callers.
CallerFactory GrpcUnaryCallers(const ChannelPool& channels, const InferRequestSet& requests,
                               absl::Duration rpc_timeout);

// OK when `bytes` is a serialised ModelInferResponse with at least one output.
absl::Status CheckInferResponseHasOutputs(const std::string& bytes);

// The bytes of a ByteBuffer as one string (copied; for checks outside the timed window).
std::string ByteBufferToString(const grpc::ByteBuffer& buffer);

// An absl::Status with a gRPC status's code and message (gRPC and Abseil number codes alike).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace inferd::bench
