// InferenceClient: a synchronous C++ client for inferd (or any KServe v2 / Triton gRPC server),
// speaking engine tensors and absl::Status instead of protobuf messages and grpc::Status.
//
// Every call returns the server's status code and message unchanged (see client/grpc_status.h). The
// class is thread-safe: calls from several threads share one channel.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/channel_security.h"
#include "engine/tensor.h"
#include "grpcpp/channel.h"
#include "health.grpc.pb.h"
#include "inferd_admin.grpc.pb.h"
#include "inference.grpc.pb.h"

namespace inferd::client {

// A tensor with the name a model knows it by.
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

struct InferOptions {
  std::string model_version;  // empty: the version the server's policy picks
  std::string request_id;     // echoed back by the server
  // Outputs to return, by name; empty: all of them.
  std::vector<std::string> requested_outputs;
  // Overrides the client's default timeout for this call.
  std::optional<absl::Duration> timeout;
};

struct InferResult {
  std::string model_name;
  std::string model_version;
  std::string id;
  std::vector<NamedTensor> outputs;  // in the server's order

  // The output called `name`; null when the response has none.
  const Tensor* Find(std::string_view name) const;
};

class InferenceClient {
 public:
  // `default_timeout` bounds every call that sets no timeout of its own.
  explicit InferenceClient(std::shared_ptr<grpc::Channel> channel,
                           absl::Duration default_timeout = absl::InfiniteDuration());

  // A client on a channel to "host:port": insecure, or as `security` says (TLS, client
  // certificate, the name the server's certificate must carry).
  static std::unique_ptr<InferenceClient> Connect(
      std::string_view url, absl::Duration default_timeout = absl::InfiniteDuration(),
      const ChannelSecurity* security = nullptr);

  absl::StatusOr<bool> ServerLive();
  absl::StatusOr<bool> ServerReady();
  absl::StatusOr<inference::ServerMetadataResponse> ServerMetadata();

  // grpc.health.v1.Health/Check; `service` empty asks about the server as a whole.
  absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> HealthCheck(
      std::string_view service = "");

  // An empty `version` means the version the model's policy serves.
  absl::StatusOr<bool> ModelReady(std::string_view model, std::string_view version = "");
  absl::StatusOr<inference::ModelMetadataResponse> ModelMetadata(std::string_view model,
                                                                 std::string_view version = "");
  absl::StatusOr<inference::ModelConfig> ModelConfig(std::string_view model,
                                                     std::string_view version = "");
  // An empty `model` asks for every model's statistics.
  absl::StatusOr<inference::ModelStatisticsResponse> ModelStatistics(std::string_view model = "",
                                                                     std::string_view version = "");

  // Every model the repository knows, or with `ready_only` only the READY ones.
  absl::StatusOr<std::vector<inference::RepositoryIndexResponse::ModelIndex>> RepositoryIndex(
      bool ready_only = false);
  absl::Status Load(std::string_view model);
  absl::Status Unload(std::string_view model);

  // inferd's own ModelAdmin/OperatorProfile: a model's time per operator since it loaded.
  absl::StatusOr<admin::OperatorProfileResponse> OperatorProfile(std::string_view model,
                                                                 std::string_view version = "");
  // The server's Vulkan devices and the model instances on them (inferd.admin.DeviceAdmin).
  absl::StatusOr<admin::ListDevicesResponse> ListDevices();

  // Runs `model` on `inputs`, sent as raw_input_contents. Outputs come back as tensors decoded from
  // raw_output_contents or from typed contents; a response whose outputs do not match their
  // declared datatype and shape is a kInternal error. Output tensors are read-only views sharing
  // the response.
  absl::StatusOr<InferResult> Infer(std::string_view model, const std::vector<NamedTensor>& inputs,
                                    const InferOptions& options = {});

 private:
  // A context carrying `timeout`, or the default one when unset.
  std::unique_ptr<grpc::ClientContext> MakeContext(std::optional<absl::Duration> timeout) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_stub_;
  std::unique_ptr<admin::ModelAdmin::Stub> model_admin_stub_;
  std::unique_ptr<admin::DeviceAdmin::Stub> device_admin_stub_;
  absl::Duration default_timeout_;
};

// Builds the ModelInferRequest that Infer sends; exposed for tests and for callers that batch
// requests themselves. Fails on BYTES or INVALID tensors and on duplicate input names.
absl::StatusOr<inference::ModelInferRequest> MakeInferRequest(
    std::string_view model, const std::vector<NamedTensor>& inputs, const InferOptions& options);

// Decodes a ModelInferResponse into tensors, checking that every output's bytes match its datatype
// and shape. Takes ownership so the tensors can view the response's bytes without copying them.
absl::StatusOr<InferResult> DecodeInferResponse(
    std::shared_ptr<const inference::ModelInferResponse> response);

}  // namespace inferd::client
