// End to end: the real inferd binary on an ephemeral loopback port, driven through the C++ client.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "client/inference_client.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/digits_data.h"
#include "tests/integration/metric_value.h"

namespace inferd::testing {
namespace {
namespace fs = std::filesystem;
using client::InferenceClient;
using client::NamedTensor;

constexpr int64_t kBatch = 32;

std::string ModelsDir() { return SourceDir() + "/examples/models"; }

struct ModelIo {
  std::string input;
  std::string output;
};

ModelIo IoOf(InferenceClient& client, const std::string& model) {
  auto metadata = client.ModelMetadata(model);
  EXPECT_TRUE(metadata.ok()) << metadata.status();
  return {metadata->inputs(0).name(), metadata->outputs(0).name()};
}

// Classifies every held-out image through the daemon; returns the accuracy and the concatenated
// scores.
std::pair<double, std::vector<Tensor>> Classify(InferenceClient& client, const std::string& model,
                                                const Tensor& images, const Tensor& labels,
                                                int* requests) {
  const ModelIo io = IoOf(client, model);
  const int64_t count = images.shape()[0];
  int64_t correct = 0;
  std::vector<Tensor> scores;
  for (int64_t first = 0; first < count; first += kBatch) {
    const int64_t rows = std::min(kBatch, count - first);
    auto result = client.Infer(model, {NamedTensor{io.input, Rows(images, first, rows)}});
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return {0, {}};
    ++*requests;
    const Tensor* output = result->Find(io.output);
    EXPECT_NE(output, nullptr);
    EXPECT_EQ(output->shape(), (Shape{rows, 10}));
    for (int64_t r = 0; r < rows; ++r) {
      if (ArgMax(*output, r) == labels.values<int64_t>()[first + r]) ++correct;
    }
    scores.push_back(Rows(*output, 0, rows));
  }
  return {static_cast<double>(correct) / static_cast<double>(count), scores};
}

double ExpectedAccuracy(const Tensor& expected, const Tensor& labels) {
  int64_t correct = 0;
  for (int64_t r = 0; r < labels.shape()[0]; ++r) {
    if (ArgMax(expected, r) == labels.values<int64_t>()[r]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(labels.shape()[0]);
}

TEST(ServingTest, ClassifiesTheHeldOutDigitsAndReportsIt) {
  auto data = LoadDigitsData();
  ASSERT_TRUE(data.ok()) << data.status();
  auto daemon = DaemonProcess::Start({"--model-repository=" + ModelsDir()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(60));

  EXPECT_TRUE(*client->ServerLive());
  EXPECT_TRUE(*client->ServerReady());
  EXPECT_EQ(*client->HealthCheck(), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(client->ServerMetadata()->name(), "inferd");
  auto index = client->RepositoryIndex();
  ASSERT_TRUE(index.ok());
  int ready = 0;
  for (const auto& model : *index) ready += model.state() == "READY";
  // digits_fp32, digits_int8 and digits_int8_gpu (on lavapipe where there is no GPU).
  EXPECT_EQ(ready, 3);
  auto metadata = client->ModelMetadata("digits_fp32");
  ASSERT_TRUE(metadata.ok());
  ASSERT_EQ(metadata->versions_size(), 1);
  EXPECT_EQ(metadata->versions(0), "1");
  EXPECT_EQ(metadata->platform(), "tosa");
  EXPECT_EQ(
      std::vector<int64_t>(metadata->inputs(0).shape().begin(), metadata->inputs(0).shape().end()),
      (std::vector<int64_t>{-1, 8, 8, 1}));
  auto config = client->ModelConfig("digits_int8");
  ASSERT_TRUE(config.ok());
  EXPECT_GT(config->max_batch_size(), 0);

  int requests_fp32 = 0;
  int requests_int8 = 0;
  auto [accuracy_fp32, scores_fp32] =
      Classify(*client, "digits_fp32", data->images_fp32, data->labels, &requests_fp32);
  auto [accuracy_int8, scores_int8] =
      Classify(*client, "digits_int8", data->images_int8, data->labels, &requests_int8);
  EXPECT_GE(accuracy_fp32, 0.95);
  EXPECT_GE(accuracy_int8, 0.95);
  EXPECT_LE(accuracy_fp32 - accuracy_int8, 0.01);
  // The daemon's answers are the trainer's: the int8 graph bit for bit, the fp32 graph within
  // rounding.
  EXPECT_DOUBLE_EQ(accuracy_fp32, ExpectedAccuracy(data->expected_fp32, data->labels));
  EXPECT_DOUBLE_EQ(accuracy_int8, ExpectedAccuracy(data->expected_int8, data->labels));
  int64_t row = 0;
  for (const Tensor& batch : scores_int8) {
    for (int64_t i = 0; i < batch.element_count(); ++i) {
      ASSERT_EQ(batch.values<int8_t>()[i], data->expected_int8.values<int8_t>()[row * 10 + i])
          << "int8 score " << i << " of batch starting at row " << row;
    }
    row += batch.shape()[0];
  }
  row = 0;
  for (const Tensor& batch : scores_fp32) {
    for (int64_t i = 0; i < batch.element_count(); ++i) {
      ASSERT_NEAR(batch.values<float>()[i], data->expected_fp32.values<float>()[row * 10 + i],
                  1e-3);
    }
    row += batch.shape()[0];
  }

  const int64_t images = data->labels.shape()[0];
  auto stats = client->ModelStatistics("digits_int8");
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->model_stats_size(), 1);
  EXPECT_EQ(stats->model_stats(0).inference_count(), static_cast<uint64_t>(images));
  EXPECT_EQ(stats->model_stats(0).inference_stats().success().count(),
            static_cast<uint64_t>(requests_int8));

  // The CPU backend runs its batch-1 graph once per image of a batch: every operator ran once per
  // inference, whichever instance ran it; constants cost nothing.
  auto profile = client->OperatorProfile("digits_int8");
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(profile->inference_count(), static_cast<uint64_t>(images));
  EXPECT_EQ(profile->execution_count(), stats->model_stats(0).execution_count());
  ASSERT_GT(profile->operators_size(), 0);
  int convolutions = 0;
  for (const admin::OperatorTiming& timing : profile->operators()) {
    EXPECT_EQ(timing.calls(), static_cast<uint64_t>(images))
        << timing.op() << " #" << timing.index();
    EXPECT_NE(timing.op(), "CONST");
    convolutions += timing.op().starts_with("CONV2D");  // fused with its RESCALE where it can
  }
  EXPECT_GT(convolutions, 0);
  EXPECT_EQ(client->OperatorProfile("no_such_model").status().code(), absl::StatusCode::kNotFound);

  auto metrics = HttpGet((*daemon)->metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(
      MetricValue(*metrics, R"(inferd_inference_request_success{model="digits_fp32",version="1"})"),
      requests_fp32);
  EXPECT_EQ(MetricValue(*metrics, R"(inferd_inference_count{model="digits_int8",version="1"})"),
            images);
  EXPECT_GT(MetricValue(*metrics, "process_resident_memory_bytes"), 0);
  EXPECT_EQ((*daemon)->Stop(), 0) << (*daemon)->Log();
}

// Sends a hand-built request so that each field can be wrong on its own.
class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto daemon = DaemonProcess::Start({"--model-repository=" + ModelsDir()});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = daemon->release();
    channel_ = new std::shared_ptr<grpc::Channel>(
        grpc::CreateChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials()));
    stub_ = inference::GRPCInferenceService::NewStub(*channel_).release();
    client_ = InferenceClient::Connect(daemon_->grpc_address(), absl::Seconds(30)).release();
    io_ = new ModelIo(IoOf(*client_, "digits_fp32"));
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(daemon_->Stop(), 0) << daemon_->Log();
    delete io_;
    delete client_;
    delete stub_;
    delete channel_;
    delete daemon_;
  }
  void TearDown() override {
    // Whatever the bad request was, the daemon still serves a good one.
    inference::ModelInferResponse response;
    ASSERT_TRUE(Send(GoodRequest(), &response).ok()) << daemon_->Log();
    EXPECT_EQ(response.raw_output_contents_size(), 1);
  }

  static inference::ModelInferRequest GoodRequest() {
    inference::ModelInferRequest request;
    request.set_model_name("digits_fp32");
    request.set_id("req-7");
    auto* input = request.add_inputs();
    input->set_name(io_->input);
    input->set_datatype("FP32");
    for (int64_t dim : {1, 8, 8, 1}) input->add_shape(dim);
    request.add_raw_input_contents(std::string(64 * sizeof(float), '\0'));
    return request;
  }

  static grpc::Status Send(const inference::ModelInferRequest& request,
                           inference::ModelInferResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub_->ModelInfer(&context, request, response);
  }

  // Expects `request` to fail with `code` and a message containing every one of `parts`.
  static void ExpectRejected(const inference::ModelInferRequest& request, grpc::StatusCode code,
                             std::vector<std::string> parts) {
    inference::ModelInferResponse response;
    const grpc::Status status = Send(request, &response);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    for (const auto& part : parts) {
      EXPECT_NE(status.error_message().find(part), std::string::npos)
          << "'" << part << "' missing from: " << status.error_message();
    }
  }

  static DaemonProcess* daemon_;
  static std::shared_ptr<grpc::Channel>* channel_;
  static inference::GRPCInferenceService::Stub* stub_;
  static InferenceClient* client_;
  static ModelIo* io_;
};
DaemonProcess* BadInputTest::daemon_ = nullptr;
std::shared_ptr<grpc::Channel>* BadInputTest::channel_ = nullptr;
inference::GRPCInferenceService::Stub* BadInputTest::stub_ = nullptr;
InferenceClient* BadInputTest::client_ = nullptr;
ModelIo* BadInputTest::io_ = nullptr;

TEST_F(BadInputTest, GoodRequestEchoesItsId) {
  inference::ModelInferResponse response;
  ASSERT_TRUE(Send(GoodRequest(), &response).ok());
  EXPECT_EQ(response.id(), "req-7");
  EXPECT_EQ(response.model_name(), "digits_fp32");
  EXPECT_EQ(response.model_version(), "1");
  EXPECT_EQ(response.outputs(0).datatype(), "FP32");
  EXPECT_EQ(response.raw_output_contents(0).size(), 10 * sizeof(float));
}

TEST_F(BadInputTest, TypedContentsAreAcceptedAsWellAsRaw) {
  auto request = GoodRequest();
  request.clear_raw_input_contents();
  for (int i = 0; i < 64; ++i) request.mutable_inputs(0)->mutable_contents()->add_fp32_contents(0);
  inference::ModelInferResponse typed;
  inference::ModelInferResponse raw;
  ASSERT_TRUE(Send(request, &typed).ok());
  ASSERT_TRUE(Send(GoodRequest(), &raw).ok());
  EXPECT_EQ(typed.raw_output_contents(0), raw.raw_output_contents(0));
}

TEST_F(BadInputTest, UnknownModel) {
  auto request = GoodRequest();
  request.set_model_name("no_such_model");
  ExpectRejected(request, grpc::StatusCode::NOT_FOUND, {"no_such_model"});
  // Triton's wording, which its client examples test with startswith().
  inference::ModelInferResponse response;
  const grpc::Status status = Send(request, &response);
  EXPECT_EQ(status.error_message().rfind("Request for unknown model: ", 0), 0u)
      << status.error_message();
}

TEST_F(BadInputTest, WrongShape) {
  auto request = GoodRequest();
  request.mutable_inputs(0)->set_shape(1, 7);
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT,
                 {"digits_fp32", io_->input, "[N,8,8,1]", "[1,7,8,1]"});
}

TEST_F(BadInputTest, BatchLargerThanTheModelAllows) {
  auto request = GoodRequest();
  request.mutable_inputs(0)->set_shape(0, 100000);
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT, {"digits_fp32", "N <="});
}

TEST_F(BadInputTest, WrongDatatype) {
  auto request = GoodRequest();
  request.mutable_inputs(0)->set_datatype("INT8");
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT,
                 {"digits_fp32", io_->input, "expected datatype FP32", "INT8"});
}

TEST_F(BadInputTest, UnknownDatatype) {
  auto request = GoodRequest();
  request.mutable_inputs(0)->set_datatype("FLOAT");
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT, {"FLOAT"});
}

TEST_F(BadInputTest, WrongByteSize) {
  auto request = GoodRequest();
  request.mutable_raw_input_contents(0)->pop_back();
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT,
                 {"digits_fp32", io_->input, "expected 256 bytes", "got 255"});
}

TEST_F(BadInputTest, UnknownInputName) {
  auto request = GoodRequest();
  request.mutable_inputs(0)->set_name("pixels");
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT, {"no input 'pixels'", io_->input});
}

TEST_F(BadInputTest, RawAndTypedContentsTogether) {
  auto request = GoodRequest();
  request.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1);
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT, {"raw_input_contents"});
}

TEST_F(BadInputTest, WrongNumberOfTypedValues) {
  auto request = GoodRequest();
  request.clear_raw_input_contents();
  request.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1);
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT, {"expected 64 values", "got 1"});
}

TEST_F(BadInputTest, UnknownRequestedOutput) {
  auto request = GoodRequest();
  request.add_outputs()->set_name("logits");
  ExpectRejected(request, grpc::StatusCode::INVALID_ARGUMENT, {"no output 'logits'"});
}

TEST_F(BadInputTest, RequestedOutputSubsetIsHonoured) {
  auto request = GoodRequest();
  request.add_outputs()->set_name(io_->output);
  inference::ModelInferResponse response;
  ASSERT_TRUE(Send(request, &response).ok());
  ASSERT_EQ(response.outputs_size(), 1);
  EXPECT_EQ(response.outputs(0).name(), io_->output);
}

TEST_F(BadInputTest, LoadRequestsAreRefusedInNoneMode) {
  EXPECT_EQ(client_->Load("digits_fp32").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(OversizedMessageTest, IsRefusedAndTheDaemonKeepsServing) {
  auto daemon =
      DaemonProcess::Start({"--model-repository=" + ModelsDir(), "--grpc-max-message-size=4096"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(30));
  const ModelIo io = IoOf(*client, "digits_fp32");
  Tensor big = Tensor::Allocate(DataType::kFp32, {64, 8, 8, 1});  // 16 KiB > 4 KiB
  auto refused = client->Infer("digits_fp32", {NamedTensor{io.input, big}});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  Tensor small = Tensor::Allocate(DataType::kFp32, {1, 8, 8, 1});
  EXPECT_TRUE(client->Infer("digits_fp32", {NamedTensor{io.input, small}}).ok());
  EXPECT_EQ((*daemon)->Stop(), 0);
}

// Writes `model_dir`/1/model.tosa: the digits INT8 graph with its first CONV2D's op code replaced
// by `op` (a JSON value: a name or a number), through flatc and our schema.
void WriteDigitsWithOp(const fs::path& model_dir, const std::string& op) {
  const fs::path work = model_dir / "json";
  fs::create_directories(work);
  fs::create_directories(model_dir / "1");
  const std::string schema = SourceDir() + "/engine/graph/tosa.fbs";
  const std::string to_json =
      absl::StrCat("flatc --json --raw-binary --strict-json -o ", work.string(), " ", schema,
                   " -- ", ModelsDir(), "/digits_int8/1/model.tosa");
  ASSERT_EQ(std::system(to_json.c_str()), 0) << to_json;
  std::ifstream in(work / "model.json");
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string conv = "\"op\": \"CONV2D\"";
  const size_t at = json.find(conv);
  ASSERT_NE(at, std::string::npos);
  json.replace(at, conv.size(), "\"op\": " + op);
  std::ofstream(work / "model.json") << json;
  const std::string to_binary = absl::StrCat("flatc -b -o ", (model_dir / "1").string(), " ",
                                             schema, " ", (work / "model.json").string());
  ASSERT_EQ(std::system(to_binary.c_str()), 0) << to_binary;
  fs::remove_all(work);
}

// Explicit model control over a scratch repository holding a good model and broken ones.
class ExplicitControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = fs::path(::testing::TempDir()) /
                  (std::string("inferd_explicit_repository") + "_" + std::to_string(getpid()));
    fs::remove_all(repository_);
    fs::create_directories(repository_);
    fs::copy(ModelsDir() + "/digits_int8", repository_ / "digits_int8",
             fs::copy_options::recursive);
    const fs::path tosa = repository_ / "digits_int8" / "1" / "model.tosa";
    std::ifstream in(tosa, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A model file cut short, without config: only the .tosa reader can complain.
    fs::create_directories(repository_ / "truncated" / "1");
    std::ofstream(repository_ / "truncated" / "1" / "model.tosa", std::ios::binary)
        << bytes.substr(0, bytes.size() / 2);
    // Garbage that is not a TOSA file at all.
    fs::create_directories(repository_ / "garbage" / "1");
    std::ofstream(repository_ / "garbage" / "1" / "model.tosa") << "this is not a flatbuffer";
    // An op code TOSA does not define, and a known op whose operands and attribute do not fit it.
    WriteDigitsWithOp(repository_ / "unknown_op", "250");
    WriteDigitsWithOp(repository_ / "mismatched_op", "\"CUSTOM\"");
  }
  fs::path repository_;
};

TEST_F(ExplicitControlTest, LoadUnloadAndBrokenModels) {
  auto daemon = DaemonProcess::Start(
      {"--model-repository=" + repository_.string(), "--model-control-mode=explicit"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(60));
  EXPECT_FALSE(*client->ModelReady("digits_int8"));

  ASSERT_TRUE(client->Load("digits_int8").ok());
  EXPECT_TRUE(*client->ModelReady("digits_int8"));
  const ModelIo io = IoOf(*client, "digits_int8");
  Tensor image = Tensor::Allocate(DataType::kInt8, {1, 8, 8, 1});
  EXPECT_TRUE(client->Infer("digits_int8", {NamedTensor{io.input, image}}).ok());

  ASSERT_TRUE(client->Unload("digits_int8").ok());
  EXPECT_FALSE(*client->ModelReady("digits_int8"));
  EXPECT_EQ(client->Infer("digits_int8", {NamedTensor{io.input, image}}).status().code(),
            absl::StatusCode::kUnavailable);

  const absl::Status outside = client->Load("../digits_int8");
  EXPECT_EQ(outside.code(), absl::StatusCode::kInvalidArgument) << outside;
  const absl::Status missing = client->Load("nothing_here");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;

  for (const char* broken : {"truncated", "garbage"}) {
    const absl::Status status = client->Load(broken);
    EXPECT_FALSE(status.ok()) << broken;
    EXPECT_NE(status.message().find(broken), std::string::npos) << status;
  }
  const absl::Status unknown = client->Load("unknown_op");
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("250"), std::string::npos) << unknown;
  const absl::Status mismatched = client->Load("mismatched_op");
  EXPECT_EQ(mismatched.code(), absl::StatusCode::kInvalidArgument) << mismatched;
  EXPECT_NE(mismatched.message().find("CUSTOM"), std::string::npos) << mismatched;

  auto index = client->RepositoryIndex();
  ASSERT_TRUE(index.ok());
  for (const auto& model : *index) {
    if (model.name() != "digits_int8") {
      EXPECT_EQ(model.state(), "UNAVAILABLE");
      EXPECT_FALSE(model.reason().empty());
    }
  }

  // After all that, the good model loads and serves again.
  ASSERT_TRUE(client->Load("digits_int8").ok());
  EXPECT_TRUE(client->Infer("digits_int8", {NamedTensor{io.input, image}}).ok());
  EXPECT_EQ((*daemon)->Stop(), 0) << (*daemon)->Log();
}

TEST(DaemonTest, RefusesToStartWithoutItsRepository) {
  auto daemon = DaemonProcess::Start({"--model-repository=/nonexistent/inferd"});
  ASSERT_FALSE(daemon.ok());
  EXPECT_NE(daemon.status().message().find("/nonexistent/inferd"), std::string::npos)
      << daemon.status();
}

}  // namespace
}  // namespace inferd::testing
