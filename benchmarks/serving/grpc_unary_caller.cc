#include "benchmarks/serving/grpc_unary_caller.h"

#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <string>
#include <vector>

#include "inference.pb.h"

namespace inferd::bench {
namespace {

constexpr char kModelInferMethod[] = "/inference.GRPCInferenceService/ModelInfer";

// Calls are made through a generic stub on a completion queue the thread drives itself: that is
// what the generated blocking stub does internally, minus protobuf (de)serialisation, which would
// otherwise load the shared CPUs differently per target.
class GrpcUnaryCaller : public RequestCaller {
 public:
  GrpcUnaryCaller(std::shared_ptr<grpc::Channel> channel, const InferRequestSet& requests,
                  absl::Duration rpc_timeout)
      : stub_(std::move(channel)), requests_(requests), rpc_timeout_(rpc_timeout) {}
  ~GrpcUnaryCaller() override {
    queue_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue_.Next(&tag, &ok)) {
    }
  }

  absl::Status Call(size_t index) override {
    grpc::ClientContext context;
    // gRPC converts deadlines only from system_clock.
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoNanoseconds(rpc_timeout_));
    grpc::Status status;
    auto call = stub_.PrepareUnaryCall(&context, kModelInferMethod, requests_.Get(index), &queue_);
    call->StartCall();
    call->Finish(&response_, &status, this);
    void* tag = nullptr;
    bool ok = false;
    if (!queue_.Next(&tag, &ok) || tag != this) {
      return absl::InternalError("completion queue returned no result");
    }
    return FromGrpcStatus(status);
  }

  absl::Status CheckLastAnswer() override {
    return CheckInferResponseHasOutputs(ByteBufferToString(response_));
  }

 private:
  grpc::GenericStub stub_;
  grpc::CompletionQueue queue_;
  const InferRequestSet& requests_;
  absl::Duration rpc_timeout_;
  grpc::ByteBuffer response_;
};

}  // namespace

std::string ByteBufferToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::Status CheckInferResponseHasOutputs(const std::string& bytes) {
  inference::ModelInferResponse response;
  if (!response.ParseFromString(bytes)) {
    return absl::DataLossError("a warm-up response is not a ModelInferResponse");
  }
  if (response.outputs_size() == 0 && response.raw_output_contents_size() == 0) {
    return absl::FailedPreconditionError("a warm-up response carries no outputs");
  }
  return absl::OkStatus();
}

CallerFactory GrpcUnaryCallers(const ChannelPool& channels, const InferRequestSet& requests,
                               absl::Duration rpc_timeout) {
  return [&channels, &requests,
          rpc_timeout](int client) -> absl::StatusOr<std::unique_ptr<RequestCaller>> {
    return std::make_unique<GrpcUnaryCaller>(channels.ForClient(client), requests, rpc_timeout);
  };
}

}  // namespace inferd::bench
