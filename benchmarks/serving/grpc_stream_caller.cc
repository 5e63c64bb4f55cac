#include "benchmarks/serving/grpc_stream_caller.h"

#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmarks/serving/grpc_unary_caller.h"
#include "inference.pb.h"

namespace inferd::bench {
namespace {

constexpr char kStreamInferMethod[] = "/inference.GRPCInferenceService/ModelStreamInfer";

// Completion-queue tags: the address of each constant names the operation.
const char kStartTag = 0, kReadTag = 0, kWriteTag = 0, kWritesDoneTag = 0, kFinishTag = 0;
void* Tag(const char& tag) { return const_cast<char*>(&tag); }

// Like the unary callers, a generic stub on the thread's own completion queue: requests go out as
// the pool's bytes and answers are not parsed, beyond the one byte that tells an in-stream error.
class GrpcStreamCaller : public RequestCaller {
 public:
  GrpcStreamCaller(std::shared_ptr<grpc::Channel> channel, const InferRequestSet& requests,
                   absl::Duration rpc_timeout)
      : stub_(std::move(channel)), requests_(requests), rpc_timeout_(rpc_timeout) {}

  ~GrpcStreamCaller() override {
    if (call_ != nullptr) {
      // Half-close and read the final status, as a well-behaved client ends a stream.
      call_->WritesDone(Tag(kWritesDoneTag));
      Await(1);
      (void)Finish();
    }
    queue_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue_.Next(&tag, &ok)) {
    }
  }

  absl::Status Call(size_t index) override {
    if (call_ == nullptr) {
      if (absl::Status opened = Open(); !opened.ok()) return opened;
    }
    // One read and one write may be outstanding at once: post both, then wait for both.
    call_->Read(&response_, Tag(kReadTag));
    call_->Write(requests_.Get(index), Tag(kWriteTag));
    const int completed_ok = Await(2);
    if (completed_ok < 0) {
      (void)Finish();
      return absl::DeadlineExceededError(
          absl::StrCat("no stream response within ", absl::FormatDuration(rpc_timeout_)));
    }
    if (completed_ok < 2) {
      absl::Status ended = Finish();
      return ended.ok() ? absl::UnavailableError("the server ended the stream") : ended;
    }
    // A ModelStreamInferResponse starts with field 1 (error_message, tag byte 0x0A) only when it
    // carries an error: proto3 leaves out an empty string and C++ writes fields in number order.
    if (ResponseStartsWithErrorField()) {
      inference::ModelStreamInferResponse response;
      response.ParseFromString(ByteBufferToString(response_));
      return absl::UnknownError(absl::StrCat("in-stream error: ", response.error_message()));
    }
    return absl::OkStatus();
  }

  absl::Status CheckLastAnswer() override {
    inference::ModelStreamInferResponse response;
    if (!response.ParseFromString(ByteBufferToString(response_))) {
      return absl::DataLossError("a warm-up answer is not a ModelStreamInferResponse");
    }
    return CheckInferResponseHasOutputs(response.infer_response().SerializeAsString());
  }

 private:
  absl::Status Open() {
    context_ = std::make_unique<grpc::ClientContext>();
    call_ = stub_.PrepareCall(context_.get(), kStreamInferMethod, &queue_);
    call_->StartCall(Tag(kStartTag));
    const int started = Await(1);
    if (started == 1) return absl::OkStatus();
    absl::Status ended = Finish();
    return ended.ok() ? absl::UnavailableError("could not start a stream") : ended;
  }

  // Waits for `count` operations; returns how many completed OK, or -1 when `rpc_timeout_` passed
  // first (the stream is then cancelled and every outstanding operation drained).
  int Await(int count) {
    const auto deadline =
        std::chrono::system_clock::now() + absl::ToChronoNanoseconds(rpc_timeout_);
    int completed_ok = 0;
    bool timed_out = false;
    for (int done = 0; done < count;) {
      void* tag = nullptr;
      bool ok = false;
      // Once cancelled, every outstanding operation completes promptly (not OK): wait for them.
      const grpc::CompletionQueue::NextStatus next =
          timed_out ? (queue_.Next(&tag, &ok) ? grpc::CompletionQueue::GOT_EVENT
                                              : grpc::CompletionQueue::SHUTDOWN)
                    : queue_.AsyncNext(&tag, &ok, deadline);
      if (next == grpc::CompletionQueue::SHUTDOWN) break;
      if (next == grpc::CompletionQueue::TIMEOUT) {
        timed_out = true;
        context_->TryCancel();
        continue;
      }
      ++done;
      if (ok) ++completed_ok;
    }
    return timed_out ? -1 : completed_ok;
  }

  // Ends the call: its final status; the next Call opens a new stream.
  absl::Status Finish() {
    grpc::Status status;
    call_->Finish(&status, Tag(kFinishTag));
    Await(1);
    call_.reset();
    context_.reset();
    return FromGrpcStatus(status);
  }

  bool ResponseStartsWithErrorField() {
    std::vector<grpc::Slice> slices;  // references to the buffer's slices, not copies
    if (!response_.Dump(&slices).ok() || slices.empty() || slices[0].size() == 0) return false;
    return slices[0].begin()[0] == 0x0A;
  }

  grpc::GenericStub stub_;
  grpc::CompletionQueue queue_;
  const InferRequestSet& requests_;
  absl::Duration rpc_timeout_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  grpc::ByteBuffer response_;
};

}  // namespace

CallerFactory GrpcStreamCallers(const ChannelPool& channels, const InferRequestSet& requests,
                                absl::Duration rpc_timeout) {
  return [&channels, &requests,
          rpc_timeout](int client) -> absl::StatusOr<std::unique_ptr<RequestCaller>> {
    return std::make_unique<GrpcStreamCaller>(channels.ForClient(client), requests, rpc_timeout);
  };
}

}  // namespace inferd::bench
