// ModelStreamInfer (Triton's streaming extension) against the real daemon, through gRPC's own
// client: responses carry their request's id, errors come back in-stream without closing it, a
// half-close still gets every outstanding response, more requests than the stream keeps in flight
// are all answered, and a cancelled stream leaves the daemon serving. Also Triton's other
// extensions that inferd answers (logging, tracing, shared memory).
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "inference.grpc.pb.h"
#include "tests/integration/daemon_process.h"

namespace inferd::testing {
namespace {

using Stream =
    grpc::ClientReaderWriter<inference::ModelInferRequest, inference::ModelStreamInferResponse>;

class StreamingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models"});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = daemon->release();
    auto channel = grpc::CreateChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials());
    stub_ = inference::GRPCInferenceService::NewStub(channel).release();
    grpc::ClientContext context;
    inference::ModelMetadataRequest request;
    request.set_name("digits_fp32");
    inference::ModelMetadataResponse metadata;
    ASSERT_TRUE(stub_->ModelMetadata(&context, request, &metadata).ok());
    input_name_ = new std::string(metadata.inputs(0).name());
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(daemon_->Stop(), 0) << daemon_->Log();
    delete input_name_;
    delete stub_;
    delete daemon_;
  }

  // A digits_fp32 request for one blank 8x8 image.
  static inference::ModelInferRequest Request(const std::string& id,
                                              const std::string& model = "digits_fp32") {
    inference::ModelInferRequest request;
    request.set_model_name(model);
    request.set_id(id);
    auto* input = request.add_inputs();
    input->set_name(*input_name_);
    input->set_datatype("FP32");
    for (int64_t dim : {1, 8, 8, 1}) input->add_shape(dim);
    request.add_raw_input_contents(std::string(64 * sizeof(float), '\0'));
    return request;
  }

  // Reads until the server ends the stream; responses by request id.
  static std::map<std::string, inference::ModelStreamInferResponse> ReadAll(Stream& stream) {
    std::map<std::string, inference::ModelStreamInferResponse> by_id;
    inference::ModelStreamInferResponse response;
    while (stream.Read(&response)) {
      const std::string id = response.infer_response().id();
      EXPECT_TRUE(by_id.emplace(id, response).second) << "two responses for id " << id;
    }
    return by_id;
  }

  static DaemonProcess* daemon_;
  static inference::GRPCInferenceService::Stub* stub_;
  static std::string* input_name_;
};
DaemonProcess* StreamingTest::daemon_ = nullptr;
inference::GRPCInferenceService::Stub* StreamingTest::stub_ = nullptr;
std::string* StreamingTest::input_name_ = nullptr;

TEST_F(StreamingTest, AnswersEachRequestByIdAndReportsErrorsInStream) {
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->ModelStreamInfer(&context);
  ASSERT_TRUE(stream->Write(Request("first")));
  ASSERT_TRUE(stream->Write(Request("missing", "no_such_model")));
  inference::ModelInferRequest wrong_shape = Request("wrong-shape");
  wrong_shape.mutable_inputs(0)->set_shape(1, 9);
  ASSERT_TRUE(stream->Write(wrong_shape));
  ASSERT_TRUE(stream->Write(Request("last")));
  // Half-close at once: the outstanding responses must still all arrive.
  ASSERT_TRUE(stream->WritesDone());
  const auto responses = ReadAll(*stream);
  const grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();

  ASSERT_EQ(responses.size(), 4u);
  for (const char* good : {"first", "last"}) {
    const auto& response = responses.at(good);
    EXPECT_TRUE(response.error_message().empty()) << response.error_message();
    EXPECT_EQ(response.infer_response().model_name(), "digits_fp32");
    ASSERT_EQ(response.infer_response().raw_output_contents_size(), 1);
    EXPECT_EQ(response.infer_response().raw_output_contents(0).size(), 10 * sizeof(float));
  }
  EXPECT_NE(responses.at("missing").error_message().find("no_such_model"), std::string::npos)
      << responses.at("missing").error_message();
  EXPECT_EQ(responses.at("missing").infer_response().raw_output_contents_size(), 0);
  EXPECT_FALSE(responses.at("wrong-shape").error_message().empty());
  EXPECT_EQ(responses.at("wrong-shape").infer_response().raw_output_contents_size(), 0);
}

TEST_F(StreamingTest, FinalResponseFlagWhenAskedFor) {
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->ModelStreamInfer(&context);
  inference::ModelInferRequest flagged = Request("flagged");
  (*flagged.mutable_parameters())["triton_enable_empty_final_response"].set_bool_param(true);
  ASSERT_TRUE(stream->Write(flagged));
  ASSERT_TRUE(stream->Write(Request("plain")));
  ASSERT_TRUE(stream->WritesDone());
  const auto responses = ReadAll(*stream);
  EXPECT_TRUE(stream->Finish().ok());
  ASSERT_EQ(responses.size(), 2u);
  const auto& parameters = responses.at("flagged").infer_response().parameters();
  ASSERT_TRUE(parameters.contains("triton_final_response"));
  EXPECT_TRUE(parameters.at("triton_final_response").bool_param());
  EXPECT_FALSE(
      responses.at("plain").infer_response().parameters().contains("triton_final_response"));
}

// More requests than one stream keeps in flight, all written before any response is read: the
// stream pauses its reads instead of failing, and every request is answered.
TEST_F(StreamingTest, ManyMoreRequestsThanTheInFlightBoundAreAllAnswered) {
  constexpr int kRequests = 300;
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_->ModelStreamInfer(&context);
  std::set<std::string> sent;
  for (int i = 0; i < kRequests; ++i) {
    const std::string id = absl::StrCat("r", i);
    ASSERT_TRUE(stream->Write(Request(id)));
    sent.insert(id);
  }
  ASSERT_TRUE(stream->WritesDone());
  const auto responses = ReadAll(*stream);
  EXPECT_TRUE(stream->Finish().ok());
  std::set<std::string> answered;
  for (const auto& [id, response] : responses) {
    EXPECT_TRUE(response.error_message().empty()) << id << ": " << response.error_message();
    answered.insert(id);
  }
  EXPECT_EQ(answered, sent);
}

TEST_F(StreamingTest, ACancelledStreamLeavesTheDaemonServing) {
  {
    grpc::ClientContext context;
    std::unique_ptr<Stream> stream = stub_->ModelStreamInfer(&context);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(stream->Write(Request(absl::StrCat("c", i))));
    context.TryCancel();
    inference::ModelStreamInferResponse ignored;
    while (stream->Read(&ignored)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  inference::ModelInferResponse response;
  const grpc::Status status = stub_->ModelInfer(&context, Request("after"), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.id(), "after");
}

// Triton's other extensions answer with a message saying what inferd does instead; LogSettings
// reads, and refuses a change the operator did not allow.
TEST_F(StreamingTest, OtherTritonExtensionsAnswerWithAMessage) {
  {
    grpc::ClientContext context;
    inference::CudaSharedMemoryStatusResponse response;
    const grpc::Status status = stub_->CudaSharedMemoryStatus(
        &context, inference::CudaSharedMemoryStatusRequest(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_NE(status.error_message().find("no CUDA devices"), std::string::npos);
  }
  {
    grpc::ClientContext context;
    inference::TraceSettingResponse response;
    const grpc::Status status =
        stub_->TraceSetting(&context, inference::TraceSettingRequest(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_NE(status.error_message().find("does not trace"), std::string::npos);
  }
  {
    grpc::ClientContext context;
    inference::LogSettingsResponse response;
    ASSERT_TRUE(stub_->LogSettings(&context, inference::LogSettingsRequest(), &response).ok());
    EXPECT_TRUE(response.settings().at("log_info").bool_param());
  }
  {
    grpc::ClientContext context;
    inference::LogSettingsRequest request;
    (*request.mutable_settings())["log_verbose_level"].set_uint32_param(2);
    inference::LogSettingsResponse response;
    const grpc::Status status = stub_->LogSettings(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(status.error_message().find("--allow-log-settings-update"), std::string::npos);
  }
}

}  // namespace
}  // namespace inferd::testing
