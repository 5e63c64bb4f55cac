#include "client/inference_client.h"

#include <climits>
#include <cstring>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/grpc_status.h"
#include "engine/data_type.h"
#include "engine/shape.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace inferd::client {
namespace {

std::string Str(std::string_view text) { return std::string(text); }

// Reinterprets a protobuf bytes field as the byte span a Tensor views.
std::span<const uint8_t> AsBytes(const std::string& bytes) {
  return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
}

absl::Status BadOutput(const std::string& name, std::string_view what) {
  return absl::InternalError(absl::StrCat("malformed response: output '", name, "' ", Str(what)));
}

// Copies typed `values` (whose wire type may be wider than the tensor's, e.g. int32 for INT8) into
// a new tensor of `type`.
template <typename Element, typename Repeated>
Tensor TensorFromTyped(DataType type, const Shape& shape, const Repeated& values) {
  Tensor tensor = Tensor::Allocate(type, shape);
  std::span<Element> out = tensor.mutable_values<Element>();
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<Element>(values[static_cast<int>(i)]);
  return tensor;
}

// The length-prefixed concatenation KServe uses for BYTES in raw contents.
std::string SerializeBytesElements(
    const google::protobuf::RepeatedPtrField<std::string>& elements) {
  std::string out;
  for (const std::string& element : elements) {
    const uint32_t size = static_cast<uint32_t>(element.size());
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
    out += element;
  }
  return out;
}

// Decodes an output sent as typed contents. `count` is the element count its shape declares.
absl::StatusOr<Tensor> DecodeTypedOutput(
    const inference::ModelInferResponse::InferOutputTensor& output, DataType type,
    const Shape& shape, int64_t count) {
  const inference::InferTensorContents& contents = output.contents();
  auto check_count = [&](int size) -> absl::Status {
    if (size != count) {
      return BadOutput(output.name(),
                       absl::StrCat("has ", size, " typed values for shape ", ShapeToString(shape),
                                    " (", count, " elements)"));
    }
    return absl::OkStatus();
  };
  absl::Status status;
  switch (type) {
    case DataType::kBool:
      if (status = check_count(contents.bool_contents_size()); !status.ok()) return status;
      return TensorFromTyped<uint8_t>(type, shape, contents.bool_contents());
    case DataType::kInt8:
      if (status = check_count(contents.int_contents_size()); !status.ok()) return status;
      return TensorFromTyped<int8_t>(type, shape, contents.int_contents());
    case DataType::kInt16:
      if (status = check_count(contents.int_contents_size()); !status.ok()) return status;
      return TensorFromTyped<int16_t>(type, shape, contents.int_contents());
    case DataType::kInt32:
      if (status = check_count(contents.int_contents_size()); !status.ok()) return status;
      return TensorFromTyped<int32_t>(type, shape, contents.int_contents());
    case DataType::kInt64:
      if (status = check_count(contents.int64_contents_size()); !status.ok()) return status;
      return TensorFromTyped<int64_t>(type, shape, contents.int64_contents());
    case DataType::kUint8:
      if (status = check_count(contents.uint_contents_size()); !status.ok()) return status;
      return TensorFromTyped<uint8_t>(type, shape, contents.uint_contents());
    case DataType::kUint16:
      if (status = check_count(contents.uint_contents_size()); !status.ok()) return status;
      return TensorFromTyped<uint16_t>(type, shape, contents.uint_contents());
    case DataType::kUint32:
      if (status = check_count(contents.uint_contents_size()); !status.ok()) return status;
      return TensorFromTyped<uint32_t>(type, shape, contents.uint_contents());
    case DataType::kUint64:
      if (status = check_count(contents.uint64_contents_size()); !status.ok()) return status;
      return TensorFromTyped<uint64_t>(type, shape, contents.uint64_contents());
    case DataType::kFp32:
      if (status = check_count(contents.fp32_contents_size()); !status.ok()) return status;
      return TensorFromTyped<float>(type, shape, contents.fp32_contents());
    case DataType::kFp64:
      if (status = check_count(contents.fp64_contents_size()); !status.ok()) return status;
      return TensorFromTyped<double>(type, shape, contents.fp64_contents());
    case DataType::kBytes: {
      if (status = check_count(contents.bytes_contents_size()); !status.ok()) return status;
      auto serialized =
          std::make_shared<const std::string>(SerializeBytesElements(contents.bytes_contents()));
      const std::span<const uint8_t> bytes = AsBytes(*serialized);
      return Tensor::View(type, shape, std::move(serialized), bytes);
    }
    default:
      // FP16 and BF16 have no typed field in the protocol; they only travel raw.
      return BadOutput(output.name(), absl::StrCat("of datatype ", output.datatype(),
                                                   " has no raw_output_contents"));
  }
}

}  // namespace

const Tensor* InferResult::Find(std::string_view name) const {
  for (const NamedTensor& output : outputs) {
    if (output.name == name) return &output.tensor;
  }
  return nullptr;
}

absl::StatusOr<inference::ModelInferRequest> MakeInferRequest(
    std::string_view model, const std::vector<NamedTensor>& inputs, const InferOptions& options) {
  inference::ModelInferRequest request;
  request.set_model_name(Str(model));
  request.set_model_version(options.model_version);
  request.set_id(options.request_id);
  std::set<std::string_view> names;
  for (const NamedTensor& input : inputs) {
    const DataType type = input.tensor.dtype();
    if (type == DataType::kInvalid || type == DataType::kBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input '", input.name, "': ", Str(DataTypeName(type)), " tensors cannot be sent"));
    }
    if (!names.insert(input.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("input '", input.name, "' given twice"));
    }
    inference::ModelInferRequest::InferInputTensor* tensor = request.add_inputs();
    tensor->set_name(input.name);
    tensor->set_datatype(Str(DataTypeName(type)));
    for (int64_t dim : input.tensor.shape()) tensor->add_shape(dim);
    const std::span<const uint8_t> bytes = input.tensor.bytes();
    request.add_raw_input_contents(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  for (const std::string& name : options.requested_outputs) request.add_outputs()->set_name(name);
  return request;
}

absl::StatusOr<InferResult> DecodeInferResponse(
    std::shared_ptr<const inference::ModelInferResponse> response) {
  InferResult result;
  result.model_name = response->model_name();
  result.model_version = response->model_version();
  result.id = response->id();
  const int raw_count = response->raw_output_contents_size();
  if (raw_count != 0 && raw_count != response->outputs_size()) {
    return absl::InternalError(absl::StrCat("malformed response: ", raw_count,
                                            " raw_output_contents for ", response->outputs_size(),
                                            " outputs"));
  }
  for (int i = 0; i < response->outputs_size(); ++i) {
    const inference::ModelInferResponse::InferOutputTensor& output = response->outputs(i);
    const DataType type = DataTypeFromName(output.datatype());
    if (type == DataType::kInvalid) {
      return BadOutput(output.name(),
                       absl::StrCat("has unknown datatype '", output.datatype(), "'"));
    }
    const Shape shape(output.shape().begin(), output.shape().end());
    const std::optional<int64_t> count = ElementCount(shape);
    if (!count)
      return BadOutput(output.name(), absl::StrCat("has invalid shape ", ShapeToString(shape)));

    absl::StatusOr<Tensor> tensor;
    if (raw_count != 0) {
      const std::string& raw = response->raw_output_contents(i);
      const size_t item_size = DataTypeByteSize(type);
      // BYTES elements are length-prefixed, so only fixed-size types have a size to check.
      if (item_size != 0 && (static_cast<uint64_t>(*count) > SIZE_MAX / item_size ||
                             raw.size() != static_cast<size_t>(*count) * item_size)) {
        return BadOutput(output.name(),
                         absl::StrCat("has ", raw.size(), " bytes but ", output.datatype(), " ",
                                      ShapeToString(shape), " needs ",
                                      static_cast<uint64_t>(*count) * item_size));
      }
      tensor = Tensor::View(type, shape, response, AsBytes(raw));
    } else {
      tensor = DecodeTypedOutput(output, type, shape, *count);
    }
    if (!tensor.ok()) return tensor.status();
    result.outputs.push_back({output.name(), *std::move(tensor)});
  }
  return result;
}

InferenceClient::InferenceClient(std::shared_ptr<grpc::Channel> channel,
                                 absl::Duration default_timeout)
    : channel_(std::move(channel)),
      stub_(inference::GRPCInferenceService::NewStub(channel_)),
      health_stub_(grpc::health::v1::Health::NewStub(channel_)),
      model_admin_stub_(admin::ModelAdmin::NewStub(channel_)),
      device_admin_stub_(admin::DeviceAdmin::NewStub(channel_)),
      default_timeout_(default_timeout) {}

std::unique_ptr<InferenceClient> InferenceClient::Connect(std::string_view url,
                                                          absl::Duration default_timeout,
                                                          const ChannelSecurity* security) {
  grpc::ChannelArguments arguments;
  // Model outputs routinely exceed gRPC's 4 MiB default; the server enforces its own limit on
  // requests.
  arguments.SetMaxReceiveMessageSize(INT_MAX);
  arguments.SetMaxSendMessageSize(INT_MAX);
  if (security != nullptr && !security->target_name_override.empty()) {
    arguments.SetSslTargetNameOverride(security->target_name_override);
  }
  return std::make_unique<InferenceClient>(
      grpc::CreateCustomChannel(
          Str(url),
          security != nullptr ? security->credentials : grpc::InsecureChannelCredentials(),
          arguments),
      default_timeout);
}

std::unique_ptr<grpc::ClientContext> InferenceClient::MakeContext(
    std::optional<absl::Duration> timeout) const {
  auto context = std::make_unique<grpc::ClientContext>();
  const absl::Duration effective = timeout.value_or(default_timeout_);
  if (effective != absl::InfiniteDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + effective));
  }
  return context;
}

absl::StatusOr<bool> InferenceClient::ServerLive() {
  inference::ServerLiveResponse response;
  const grpc::Status status =
      stub_->ServerLive(MakeContext(std::nullopt).get(), inference::ServerLiveRequest(), &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.live();
}

absl::StatusOr<bool> InferenceClient::ServerReady() {
  inference::ServerReadyResponse response;
  const grpc::Status status = stub_->ServerReady(MakeContext(std::nullopt).get(),
                                                 inference::ServerReadyRequest(), &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.ready();
}

absl::StatusOr<inference::ServerMetadataResponse> InferenceClient::ServerMetadata() {
  inference::ServerMetadataResponse response;
  const grpc::Status status = stub_->ServerMetadata(MakeContext(std::nullopt).get(),
                                                    inference::ServerMetadataRequest(), &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> InferenceClient::HealthCheck(
    std::string_view service) {
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(Str(service));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status =
      health_stub_->Check(MakeContext(std::nullopt).get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.status();
}

absl::StatusOr<bool> InferenceClient::ModelReady(std::string_view model, std::string_view version) {
  inference::ModelReadyRequest request;
  request.set_name(Str(model));
  request.set_version(Str(version));
  inference::ModelReadyResponse response;
  const grpc::Status status =
      stub_->ModelReady(MakeContext(std::nullopt).get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.ready();
}

absl::StatusOr<inference::ModelMetadataResponse> InferenceClient::ModelMetadata(
    std::string_view model, std::string_view version) {
  inference::ModelMetadataRequest request;
  request.set_name(Str(model));
  request.set_version(Str(version));
  inference::ModelMetadataResponse response;
  const grpc::Status status =
      stub_->ModelMetadata(MakeContext(std::nullopt).get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<inference::ModelConfig> InferenceClient::ModelConfig(std::string_view model,
                                                                    std::string_view version) {
  inference::ModelConfigRequest request;
  request.set_name(Str(model));
  request.set_version(Str(version));
  inference::ModelConfigResponse response;
  const grpc::Status status =
      stub_->ModelConfig(MakeContext(std::nullopt).get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return std::move(*response.mutable_config());
}

absl::StatusOr<inference::ModelStatisticsResponse> InferenceClient::ModelStatistics(
    std::string_view model, std::string_view version) {
  inference::ModelStatisticsRequest request;
  request.set_name(Str(model));
  request.set_version(Str(version));
  inference::ModelStatisticsResponse response;
  const grpc::Status status =
      stub_->ModelStatistics(MakeContext(std::nullopt).get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<admin::OperatorProfileResponse> InferenceClient::OperatorProfile(
    std::string_view model, std::string_view version) {
  admin::OperatorProfileRequest request;
  request.set_name(Str(model));
  request.set_version(Str(version));
  admin::OperatorProfileResponse response;
  const grpc::Status status =
      model_admin_stub_->OperatorProfile(MakeContext(std::nullopt).get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<admin::ListDevicesResponse> InferenceClient::ListDevices() {
  admin::ListDevicesResponse response;
  const grpc::Status status = device_admin_stub_->ListDevices(
      MakeContext(std::nullopt).get(), admin::ListDevicesRequest(), &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<std::vector<inference::RepositoryIndexResponse::ModelIndex>>
InferenceClient::RepositoryIndex(bool ready_only) {
  inference::RepositoryIndexRequest request;
  request.set_ready(ready_only);
  inference::RepositoryIndexResponse response;
  const grpc::Status status =
      stub_->RepositoryIndex(MakeContext(std::nullopt).get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return std::vector<inference::RepositoryIndexResponse::ModelIndex>(response.models().begin(),
                                                                     response.models().end());
}

absl::Status InferenceClient::Load(std::string_view model) {
  inference::RepositoryModelLoadRequest request;
  request.set_model_name(Str(model));
  inference::RepositoryModelLoadResponse response;
  return FromGrpcStatus(
      stub_->RepositoryModelLoad(MakeContext(std::nullopt).get(), request, &response));
}

absl::Status InferenceClient::Unload(std::string_view model) {
  inference::RepositoryModelUnloadRequest request;
  request.set_model_name(Str(model));
  inference::RepositoryModelUnloadResponse response;
  return FromGrpcStatus(
      stub_->RepositoryModelUnload(MakeContext(std::nullopt).get(), request, &response));
}

absl::StatusOr<InferResult> InferenceClient::Infer(std::string_view model,
                                                   const std::vector<NamedTensor>& inputs,
                                                   const InferOptions& options) {
  absl::StatusOr<inference::ModelInferRequest> request = MakeInferRequest(model, inputs, options);
  if (!request.ok()) return request.status();
  auto response = std::make_shared<inference::ModelInferResponse>();
  const grpc::Status status =
      stub_->ModelInfer(MakeContext(options.timeout).get(), *request, response.get());
  if (!status.ok()) return FromGrpcStatus(status);
  return DecodeInferResponse(std::move(response));
}

}  // namespace inferd::client
