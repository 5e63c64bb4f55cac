// RunClosedLoop: one measurement of one target at one concurrency — N client threads, each sending
// its next request as soon as the previous one is answered, through any protocol's RequestCaller.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "benchmarks/serving/latency_summary.h"
#include "benchmarks/serving/request_caller.h"

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
  // Names the target in warm-up errors ("warm-up request to <target> failed: ...").
  std::string target;
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

// Each client thread makes its caller with `callers`, sends its share of the warm-up, waits for the
// others, then calls in a loop until the window closes. Client k starts at request k * 7919 of
// its pool, so that concurrent requests differ. Fails without measuring when a caller cannot be
// made, a warm-up request fails or its answer carries no outputs: timing a server that only returns
// errors would report a meaningless, flattering number.
absl::StatusOr<ClosedLoopResult> RunClosedLoop(const CallerFactory& callers,
                                               const ClosedLoopOptions& options);

}  // namespace inferd::bench
