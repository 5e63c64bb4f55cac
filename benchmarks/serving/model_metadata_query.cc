#include "benchmarks/serving/model_metadata_query.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>

#include "benchmarks/serving/grpc_unary_caller.h"
#include "inference.grpc.pb.h"

namespace inferd::bench {

absl::StatusOr<inference::ModelMetadataResponse> QueryModelMetadata(const std::string& address,
                                                                    const std::string& model,
                                                                    const std::string& version) {
  auto stub = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  inference::ModelMetadataRequest request;
  request.set_name(model);
  request.set_version(version);
  inference::ModelMetadataResponse metadata;
  grpc::Status status = stub->ModelMetadata(&context, request, &metadata);
  if (!status.ok()) return FromGrpcStatus(status);
  return metadata;
}

}  // namespace inferd::bench
