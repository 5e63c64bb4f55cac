// gRPC ModelStreamInfer callers for the closed loop: each client thread keeps one bidirectional
// stream open and sends its next request on it when the previous answer has come back, so the
// figures compare with unary ModelInfer at the same concurrency.
#pragma once

#include "absl/time/time.h"
#include "benchmarks/serving/channel_pool.h"
#include "benchmarks/serving/infer_request_set.h"
#include "benchmarks/serving/request_caller.h"

namespace inferd::bench {

// Callers of ModelStreamInfer on `channels` with `requests` (the same pre-serialised
// ModelInferRequests as unary calls: the stream's message type is the same); both must outlive the
// callers. A request unanswered after `rpc_timeout` cancels the stream, which the next call
// reopens.
CallerFactory GrpcStreamCallers(const ChannelPool& channels, const InferRequestSet& requests,
                                absl::Duration rpc_timeout);

}  // namespace inferd::bench
