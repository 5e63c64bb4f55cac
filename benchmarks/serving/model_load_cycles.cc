#include "benchmarks/serving/model_load_cycles.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "benchmarks/serving/grpc_unary_caller.h"
#include "inference.grpc.pb.h"

namespace inferd::bench {
namespace {

// One repository call (`rpc` is the stub's RepositoryModelLoad or RepositoryModelUnload) for
// `model`, waiting for its answer; the error says which cycle and which call failed.
template <typename Request, typename Response, typename Rpc>
absl::Status CallRepository(inference::GRPCInferenceService::Stub& stub, Rpc rpc,
                            const std::string& model, const char* what, int cycle) {
  grpc::ClientContext context;
  // A load reads and validates the model: generous, so that a slow machine is not an error.
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  Request request;
  request.set_model_name(model);
  Response response;
  if (grpc::Status status = (stub.*rpc)(&context, request, &response); !status.ok()) {
    const absl::Status error = FromGrpcStatus(status);
    return absl::Status(error.code(), absl::StrCat("cycle ", cycle, ": ", what, " '", model,
                                                   "': ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadUnloadCycles(const std::string& address, const std::string& model, int cycles) {
  auto stub = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  using Stub = inference::GRPCInferenceService::Stub;
  for (int cycle = 1; cycle <= cycles; ++cycle) {
    if (absl::Status status = CallRepository<inference::RepositoryModelLoadRequest,
                                             inference::RepositoryModelLoadResponse>(
            *stub, &Stub::RepositoryModelLoad, model, "loading", cycle);
        !status.ok()) {
      return status;
    }
    if (absl::Status status = CallRepository<inference::RepositoryModelUnloadRequest,
                                             inference::RepositoryModelUnloadResponse>(
            *stub, &Stub::RepositoryModelUnload, model, "unloading", cycle);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace inferd::bench
