// InferenceClient against an in-process fake server: checks what goes on the wire and how responses
// and errors come back, without the real daemon.
#include "client/inference_client.h"

#include <chrono>
#include <cstring>
#include <mutex>

#include "client/tensor_text.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace inferd::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string RawBytes(const void* data, size_t size) {
  return std::string(static_cast<const char*>(data), size);
}

// Replies with whatever the test put in `response`, after recording the request.
class FakeInferenceService final : public inference::GRPCInferenceService::Service {
 public:
  grpc::Status ServerLive(grpc::ServerContext*, const inference::ServerLiveRequest*,
                          inference::ServerLiveResponse* response) override {
    response->set_live(true);
    return grpc::Status::OK;
  }
  grpc::Status ServerReady(grpc::ServerContext*, const inference::ServerReadyRequest*,
                           inference::ServerReadyResponse* response) override {
    response->set_ready(false);
    return grpc::Status::OK;
  }
  grpc::Status ModelReady(grpc::ServerContext*, const inference::ModelReadyRequest* request,
                          inference::ModelReadyResponse* response) override {
    if (request->name() != "known")
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no model 'x'");
    response->set_ready(request->version() == "3");
    return grpc::Status::OK;
  }
  grpc::Status ModelConfig(grpc::ServerContext*, const inference::ModelConfigRequest* request,
                           inference::ModelConfigResponse* response) override {
    response->mutable_config()->set_name(request->name());
    response->mutable_config()->set_max_batch_size(8);
    return grpc::Status::OK;
  }
  grpc::Status RepositoryIndex(grpc::ServerContext*,
                               const inference::RepositoryIndexRequest* request,
                               inference::RepositoryIndexResponse* response) override {
    auto* model = response->add_models();
    model->set_name("a");
    model->set_state("READY");
    if (!request->ready()) {
      model = response->add_models();
      model->set_name("b");
      model->set_state("UNAVAILABLE");
      model->set_reason("bad file");
    }
    return grpc::Status::OK;
  }
  grpc::Status RepositoryModelLoad(grpc::ServerContext*,
                                   const inference::RepositoryModelLoadRequest* request,
                                   inference::RepositoryModelLoadResponse*) override {
    std::lock_guard lock(mutex);
    loaded.push_back(request->model_name());
    return grpc::Status::OK;
  }
  grpc::Status RepositoryModelUnload(grpc::ServerContext*,
                                     const inference::RepositoryModelUnloadRequest* request,
                                     inference::RepositoryModelUnloadResponse*) override {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "model '" + request->model_name() + "' is not loaded");
  }
  grpc::Status ModelInfer(grpc::ServerContext* context, const inference::ModelInferRequest* request,
                          inference::ModelInferResponse* reply) override {
    std::lock_guard lock(mutex);
    last_request = *request;
    last_deadline = context->deadline();
    if (!infer_status.ok()) return infer_status;
    *reply = response;
    return grpc::Status::OK;
  }

  std::mutex mutex;
  inference::ModelInferRequest last_request;
  std::chrono::system_clock::time_point last_deadline;
  inference::ModelInferResponse response;
  grpc::Status infer_status;
  std::vector<std::string> loaded;
};

class FakeHealthService final : public grpc::health::v1::Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override {
    if (!request->service().empty())
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    response->set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }
};

class InferenceClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    builder.RegisterService(&health_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    client_ =
        std::make_unique<InferenceClient>(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  FakeInferenceService service_;
  FakeHealthService health_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<InferenceClient> client_;
};

TEST_F(InferenceClientTest, ServerAndModelQueries) {
  EXPECT_EQ(client_->ServerLive().value(), true);
  EXPECT_EQ(client_->ServerReady().value(), false);
  EXPECT_EQ(client_->ModelReady("known", "3").value(), true);
  EXPECT_EQ(client_->ModelReady("known").value(), false);
  EXPECT_EQ(client_->ModelConfig("digits").value().max_batch_size(), 8);
  EXPECT_EQ(client_->HealthCheck().value(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(InferenceClientTest, RepositoryIndexAndLifecycle) {
  auto all = client_->RepositoryIndex();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].reason(), "bad file");
  EXPECT_EQ(client_->RepositoryIndex(/*ready_only=*/true)->size(), 1u);

  EXPECT_TRUE(client_->Load("digits").ok());
  EXPECT_THAT(service_.loaded, ElementsAre("digits"));
  const absl::Status unload = client_->Unload("digits");
  EXPECT_EQ(unload.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(unload.message(), "model 'digits' is not loaded");
}

TEST_F(InferenceClientTest, ServerErrorsKeepCodeAndMessage) {
  const absl::StatusOr<bool> ready = client_->ModelReady("other");
  EXPECT_EQ(ready.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ready.status().message(), "no model 'x'");
  EXPECT_EQ(client_->HealthCheck("nope").status().code(), absl::StatusCode::kNotFound);

  service_.infer_status =
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "input 'x': expected FP32 [1,8,8,1]");
  const absl::StatusOr<InferResult> result =
      client_->Infer("m", {{"x", *ParseTensorText("FP32:1:0")}});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "input 'x': expected FP32 [1,8,8,1]");
}

TEST_F(InferenceClientTest, InferSendsRawInputsAndDecodesRawOutputs) {
  const float scores[] = {0.25f, 0.75f};
  auto* output = service_.response.add_outputs();
  output->set_name("scores");
  output->set_datatype("FP32");
  output->add_shape(1);
  output->add_shape(2);
  service_.response.add_raw_output_contents(RawBytes(scores, sizeof(scores)));
  service_.response.set_id("req-1");
  service_.response.set_model_name("m");
  service_.response.set_model_version("4");

  InferOptions options;
  options.request_id = "req-1";
  options.model_version = "4";
  options.requested_outputs = {"scores"};
  options.timeout = absl::Seconds(30);
  const auto before = std::chrono::system_clock::now();
  absl::StatusOr<InferResult> result = client_->Infer(
      "m", {{"x", *ParseTensorText("INT16:2,1:3,-4")}, {"flag", *ParseTensorText("BOOL::1")}},
      options);
  ASSERT_TRUE(result.ok()) << result.status();

  const inference::ModelInferRequest& request = service_.last_request;
  EXPECT_EQ(request.model_name(), "m");
  EXPECT_EQ(request.model_version(), "4");
  EXPECT_EQ(request.id(), "req-1");
  ASSERT_EQ(request.inputs_size(), 2);
  EXPECT_EQ(request.inputs(0).name(), "x");
  EXPECT_EQ(request.inputs(0).datatype(), "INT16");
  EXPECT_THAT(request.inputs(0).shape(), ElementsAre(2, 1));
  EXPECT_EQ(request.inputs(1).datatype(), "BOOL");
  EXPECT_THAT(request.inputs(1).shape(), ElementsAre());
  const int16_t expected[] = {3, -4};
  ASSERT_EQ(request.raw_input_contents_size(), 2);
  EXPECT_EQ(request.raw_input_contents(0), RawBytes(expected, sizeof(expected)));
  EXPECT_EQ(request.raw_input_contents(1), std::string("\x01", 1));
  ASSERT_EQ(request.outputs_size(), 1);
  EXPECT_EQ(request.outputs(0).name(), "scores");
  // The 30 s timeout reached the server as a deadline (not an infinite one).
  EXPECT_GT(service_.last_deadline, before);
  EXPECT_LE(service_.last_deadline, std::chrono::system_clock::now() + std::chrono::seconds(31));

  EXPECT_EQ(result->id, "req-1");
  EXPECT_EQ(result->model_version, "4");
  const Tensor* decoded = result->Find("scores");
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(decoded->dtype(), DataType::kFp32);
  EXPECT_EQ(decoded->shape(), (Shape{1, 2}));
  EXPECT_THAT(decoded->values<float>(), ElementsAre(0.25f, 0.75f));
  EXPECT_EQ(result->Find("other"), nullptr);
}

TEST_F(InferenceClientTest, InferWithoutTimeoutSendsNoDeadline) {
  ASSERT_TRUE(client_->Infer("m", {{"x", *ParseTensorText("FP32:1:0")}}).ok());
  EXPECT_EQ(service_.last_deadline, std::chrono::system_clock::time_point::max());
}

TEST(DecodeInferResponse, TypedContentsOfEveryWireType) {
  auto response = std::make_shared<inference::ModelInferResponse>();
  auto add = [&](const std::string& name, const std::string& type, std::vector<int64_t> shape) {
    auto* output = response->add_outputs();
    output->set_name(name);
    output->set_datatype(type);
    for (int64_t dim : shape) output->add_shape(dim);
    return output->mutable_contents();
  };
  auto* f = add("f", "FP32", {2});
  f->add_fp32_contents(1.5f);
  f->add_fp32_contents(-1);
  auto* i8 = add("i8", "INT8", {1, 2});
  i8->add_int_contents(-7);
  i8->add_int_contents(9);
  auto* u16 = add("u16", "UINT16", {1});
  u16->add_uint_contents(65535);
  auto* i64 = add("i64", "INT64", {1});
  i64->add_int64_contents(-5);
  auto* u64 = add("u64", "UINT64", {1});
  u64->add_uint64_contents(7);
  auto* d = add("d", "FP64", {1});
  d->add_fp64_contents(0.1);
  auto* b = add("b", "BOOL", {2});
  b->add_bool_contents(true);
  b->add_bool_contents(false);

  absl::StatusOr<InferResult> result = DecodeInferResponse(response);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->Find("f")->values<float>(), ElementsAre(1.5f, -1.0f));
  EXPECT_THAT(result->Find("i8")->values<int8_t>(), ElementsAre(-7, 9));
  EXPECT_EQ(result->Find("i8")->shape(), (Shape{1, 2}));
  EXPECT_THAT(result->Find("u16")->values<uint16_t>(), ElementsAre(65535));
  EXPECT_THAT(result->Find("i64")->values<int64_t>(), ElementsAre(-5));
  EXPECT_THAT(result->Find("u64")->values<uint64_t>(), ElementsAre(7u));
  EXPECT_THAT(result->Find("d")->values<double>(), ElementsAre(0.1));
  EXPECT_THAT(result->Find("b")->values<uint8_t>(), ElementsAre(1, 0));
}

TEST(DecodeInferResponse, MalformedResponsesAreInternalErrors) {
  auto make = [](const std::string& type, std::vector<int64_t> shape, std::string raw) {
    auto response = std::make_shared<inference::ModelInferResponse>();
    auto* output = response->add_outputs();
    output->set_name("y");
    output->set_datatype(type);
    for (int64_t dim : shape) output->add_shape(dim);
    response->add_raw_output_contents(std::move(raw));
    return response;
  };
  auto error = [](std::shared_ptr<inference::ModelInferResponse> response) {
    absl::StatusOr<InferResult> result = DecodeInferResponse(std::move(response));
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
    return std::string(result.status().message());
  };
  EXPECT_THAT(error(make("FP32", {2}, std::string(7, '\0'))),
              HasSubstr("output 'y' has 7 bytes but FP32 [2] needs 8"));
  EXPECT_THAT(error(make("FLOAT", {2}, std::string(8, '\0'))),
              HasSubstr("unknown datatype 'FLOAT'"));
  EXPECT_THAT(error(make("FP32", {-1}, "")), HasSubstr("invalid shape [-1]"));

  auto extra_raw = make("FP32", {1}, std::string(4, '\0'));
  extra_raw->add_raw_output_contents("");
  EXPECT_THAT(error(extra_raw), HasSubstr("2 raw_output_contents for 1 outputs"));

  auto typed = std::make_shared<inference::ModelInferResponse>();
  auto* output = typed->add_outputs();
  output->set_name("y");
  output->set_datatype("FP32");
  output->add_shape(3);
  output->mutable_contents()->add_fp32_contents(1);
  EXPECT_THAT(error(typed), HasSubstr("has 1 typed values for shape [3] (3 elements)"));
  output->set_datatype("FP16");
  EXPECT_THAT(error(typed), HasSubstr("has no raw_output_contents"));
}

TEST(MakeInferRequest, RejectsDuplicateNamesAndUnsendableTensors) {
  const Tensor x = *ParseTensorText("FP32:1:0");
  absl::StatusOr<inference::ModelInferRequest> duplicate =
      MakeInferRequest("m", {{"x", x}, {"x", x}}, {});
  EXPECT_THAT(std::string(duplicate.status().message()), HasSubstr("input 'x' given twice"));
  absl::StatusOr<inference::ModelInferRequest> invalid =
      MakeInferRequest("m", {{"x", Tensor()}}, {});
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferd::client
