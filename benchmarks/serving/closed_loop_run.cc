#include "benchmarks/serving/closed_loop_run.h"

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace inferd::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct ClientOutcome {
  std::vector<int64_t> latencies_ns;
  int64_t errors = 0;
  std::string first_error;
  absl::Status warmup_status;
};

}  // namespace

absl::StatusOr<ClosedLoopResult> RunClosedLoop(const CallerFactory& callers,
                                               const ClosedLoopOptions& options) {
  const int clients = std::max(1, options.concurrency);
  const int64_t warmup_per_client =
      std::max<int64_t>(1, (options.warmup_requests + clients - 1) / clients);
  const bool count_bounded = options.max_requests > 0;

  std::vector<ClientOutcome> outcomes(clients);
  std::latch warmed_up(clients + 1);
  std::latch start_signal(1);
  std::atomic<int64_t> requests_left(options.max_requests);
  Clock::time_point deadline;  // written before start_signal opens, read after

  std::vector<std::thread> threads;
  threads.reserve(clients);
  for (int client = 0; client < clients; ++client) {
    threads.emplace_back([&, client] {
      ClientOutcome& outcome = outcomes[client];
      absl::StatusOr<std::unique_ptr<RequestCaller>> caller = callers(client);
      if (!caller.ok()) outcome.warmup_status = caller.status();
      // Threads start at different places in the pool so that concurrent requests differ.
      size_t next = static_cast<size_t>(client) * 7919;
      for (int64_t i = 0; i < warmup_per_client && outcome.warmup_status.ok(); ++i) {
        absl::Status status = (*caller)->Call(next++);
        if (!status.ok()) {
          // Keep the server's code.
          outcome.warmup_status = absl::Status(
              status.code(),
              absl::StrCat("warm-up request to ", options.target, " failed: ", status.message()));
        } else if (i == 0) {
          outcome.warmup_status = (*caller)->CheckLastAnswer();
        }
      }
      warmed_up.count_down();
      start_signal.wait();
      if (!outcome.warmup_status.ok()) return;

      outcome.latencies_ns.reserve(1 << 16);
      while (Clock::now() < deadline) {
        if (count_bounded && requests_left.fetch_sub(1, std::memory_order_relaxed) <= 0) break;
        const Clock::time_point sent = Clock::now();
        absl::Status status = (*caller)->Call(next++);
        const Clock::time_point answered = Clock::now();
        if (status.ok()) {
          outcome.latencies_ns.push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(answered - sent).count());
        } else if (outcome.errors++ == 0) {
          outcome.first_error = status.ToString();
        }
      }
    });
  }

  warmed_up.arrive_and_wait();
  const Clock::time_point started = Clock::now();
  deadline = started + absl::ToChronoNanoseconds(options.duration);
  start_signal.count_down();
  for (std::thread& thread : threads) thread.join();
  const Clock::time_point finished = Clock::now();

  ClosedLoopResult result;
  result.concurrency = clients;
  std::vector<int64_t> all_latencies;
  for (ClientOutcome& outcome : outcomes) {
    if (!outcome.warmup_status.ok()) return outcome.warmup_status;
    all_latencies.insert(all_latencies.end(), outcome.latencies_ns.begin(),
                         outcome.latencies_ns.end());
    result.errors += outcome.errors;
    if (result.first_error.empty()) result.first_error = outcome.first_error;
  }
  result.requests = static_cast<int64_t>(all_latencies.size());
  result.elapsed_s = std::chrono::duration<double>(finished - started).count();
  result.throughput_rps = result.elapsed_s > 0 ? result.requests / result.elapsed_s : 0;
  result.latency = SummarizeLatencies(all_latencies);
  return result;
}

}  // namespace inferd::bench
