// RunClosedLoop: one measurement of one target at one concurrency — N client threads, each sending
// its next ModelInfer request as soon as the previous one is answered.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "benchmarks/serving/channel_pool.h"
#include "benchmarks/serving/infer_request_set.h"
#include "benchmarks/serving/latency_summary.h"

namespace inferd::bench {

struct ClosedLoopOptions {
  int concurrency = 1;
  // Requests sent before timing starts, shared among the threads; every thread sends at least one
  // so that its connection is up before the clock starts.
  int64_t warmup_requests = 0;
  // The timed window ends when `duration` has passed or, if `max_requests` > 0, after that many
  // requests — whichever comes first.
  absl::Duration duration = absl::Seconds(2);
  int64_t max_requests = 0;
  absl::Duration rpc_timeout = absl::Seconds(10);
};

struct ClosedLoopResult {
  int concurrency = 0;
  int64_t requests = 0;  // answered OK inside the timed window
  int64_t errors = 0;    // answered with a non-OK status inside the timed window
  double elapsed_s = 0;
  double throughput_rps = 0;
  LatencySummary latency;  // of the OK requests only
  std::string first_error;
};

// Fails without measuring when a warm-up request fails or its answer carries no outputs: timing a
// server that only returns errors would report a meaningless, flattering number.
absl::StatusOr<ClosedLoopResult> RunClosedLoop(const ChannelPool& channels,
                                               const InferRequestSet& requests,
                                               const ClosedLoopOptions& options);

}  // namespace inferd::bench
