#include "benchmarks/serving/closed_loop_run.h"

#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "inference.pb.h"

namespace inferd::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kModelInferMethod[] = "/inference.GRPCInferenceService/ModelInfer";

// One client thread's view of the target. Calls are made through a generic stub on a completion
// queue the thread drives itself: that is what the generated blocking stub does internally, minus
// protobuf (de)serialisation, which would otherwise load the shared CPUs differently per target.
class BlockingCaller {
 public:
  explicit BlockingCaller(std::shared_ptr<grpc::Channel> channel) : stub_(std::move(channel)) {}
  ~BlockingCaller() {
    queue_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue_.Next(&tag, &ok)) {
    }
  }

  grpc::Status Call(const grpc::ByteBuffer& request, grpc::ByteBuffer* response,
                    absl::Duration timeout) {
    grpc::ClientContext context;
    // gRPC converts deadlines only from system_clock.
    context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
    grpc::Status status;
    auto call = stub_.PrepareUnaryCall(&context, kModelInferMethod, request, &queue_);
    call->StartCall();
    call->Finish(response, &status, this);
    void* tag = nullptr;
    bool ok = false;
    if (!queue_.Next(&tag, &ok) || tag != this) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "completion queue returned no result");
    }
    return status;
  }

 private:
  grpc::GenericStub stub_;
  grpc::CompletionQueue queue_;
};

absl::Status CheckResponseHasOutputs(const grpc::ByteBuffer& buffer) {
  grpc::ByteBuffer copy(buffer);
  std::vector<grpc::Slice> slices;
  if (!copy.Dump(&slices).ok()) return absl::InternalError("could not read a response buffer");
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  inference::ModelInferResponse response;
  if (!response.ParseFromString(bytes)) {
    return absl::DataLossError("a warm-up response is not a ModelInferResponse");
  }
  if (response.outputs_size() == 0 && response.raw_output_contents_size() == 0) {
    return absl::FailedPreconditionError("a warm-up response carries no outputs");
  }
  return absl::OkStatus();
}

struct ClientOutcome {
  std::vector<int64_t> latencies_ns;
  int64_t errors = 0;
  std::string first_error;
  absl::Status warmup_status;
};

}  // namespace

absl::StatusOr<ClosedLoopResult> RunClosedLoop(const ChannelPool& channels,
                                               const InferRequestSet& requests,
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
      BlockingCaller caller(channels.ForClient(client));
      // Threads start at different places in the pool so that concurrent requests differ.
      size_t next = static_cast<size_t>(client) * 7919;
      grpc::ByteBuffer response;
      for (int64_t i = 0; i < warmup_per_client && outcome.warmup_status.ok(); ++i) {
        grpc::Status status = caller.Call(requests.Get(next++), &response, options.rpc_timeout);
        if (!status.ok()) {
          // gRPC and Abseil number their status codes alike; keep the server's code.
          outcome.warmup_status =
              absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                           absl::StrCat("warm-up ModelInfer to ", channels.address(),
                                        " failed: ", status.error_message()));
        } else if (i == 0) {
          outcome.warmup_status = CheckResponseHasOutputs(response);
        }
      }
      warmed_up.count_down();
      start_signal.wait();
      if (!outcome.warmup_status.ok()) return;

      outcome.latencies_ns.reserve(1 << 16);
      while (Clock::now() < deadline) {
        if (count_bounded && requests_left.fetch_sub(1, std::memory_order_relaxed) <= 0) break;
        const Clock::time_point sent = Clock::now();
        grpc::Status status = caller.Call(requests.Get(next++), &response, options.rpc_timeout);
        const Clock::time_point answered = Clock::now();
        if (status.ok()) {
          outcome.latencies_ns.push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(answered - sent).count());
        } else {
          if (outcome.errors++ == 0) {
            outcome.first_error = absl::StrCat(
                absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())), ": ",
                status.error_message());
          }
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
