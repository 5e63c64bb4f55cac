// System shared memory over gRPC and HTTP against the real daemon: a region the test creates with
// shm_open, registered, used for an input and an output, checked, and unregistered; the two
// protocols share one registry.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "inference.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/integration/daemon_process.h"
#include "tests/integration/digits_data.h"
#include "tests/integration/http_client.h"
#include "tests/server/shared_memory/shm_object.h"

namespace inferd::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kSharedRows = 4;
constexpr size_t kInputBytes = kSharedRows * 8 * 8 * sizeof(float);
constexpr size_t kOutputBytes = kSharedRows * 10 * sizeof(float);

class SharedMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto daemon = DaemonProcess::Start({"--max-shared-memory-regions=2"});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    stub_ = inference::GRPCInferenceService::NewStub(
        grpc::CreateChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials()));
    auto digits = LoadDigitsData();
    ASSERT_TRUE(digits.ok()) << digits.status();
    images_ = Rows(digits->images_fp32, 0, kSharedRows);
  }

  grpc::Status Register(const std::string& name, const std::string& key, uint64_t offset,
                        uint64_t byte_size) {
    grpc::ClientContext context;
    inference::SystemSharedMemoryRegisterRequest request;
    request.set_name(name);
    request.set_key(key);
    request.set_offset(offset);
    request.set_byte_size(byte_size);
    inference::SystemSharedMemoryRegisterResponse response;
    return stub_->SystemSharedMemoryRegister(&context, request, &response);
  }

  // An inference of the test's rows: input from the request or from region "in" at
  // `input_offset`, output into region "out" when `output_to_shm`.
  grpc::Status Infer(bool input_from_shm, uint64_t input_offset, bool output_to_shm,
                     inference::ModelInferResponse* response) {
    grpc::ClientContext context;
    return stub_->ModelInfer(&context, Request(input_from_shm, input_offset, output_to_shm),
                             response);
  }

  inference::ModelInferRequest Request(bool input_from_shm, uint64_t input_offset,
                                       bool output_to_shm) {
    inference::ModelInferRequest request;
    request.set_model_name("digits_fp32");
    auto* input = request.add_inputs();
    input->set_name("images");
    input->set_datatype("FP32");
    for (int64_t dim : {kSharedRows, int64_t{8}, int64_t{8}, int64_t{1}}) input->add_shape(dim);
    if (input_from_shm) {
      auto& parameters = *input->mutable_parameters();
      parameters["shared_memory_region"].set_string_param("in");
      parameters["shared_memory_offset"].set_int64_param(static_cast<int64_t>(input_offset));
      parameters["shared_memory_byte_size"].set_int64_param(kInputBytes);
    } else {
      const auto bytes = images_.bytes();
      request.add_raw_input_contents()->assign(reinterpret_cast<const char*>(bytes.data()),
                                               bytes.size());
    }
    auto* output = request.add_outputs();
    output->set_name("scores");
    if (output_to_shm) {
      auto& parameters = *output->mutable_parameters();
      parameters["shared_memory_region"].set_string_param("out");
      parameters["shared_memory_byte_size"].set_int64_param(kOutputBytes);
    }
    return request;
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
  Tensor images_;
};

TEST_F(SharedMemoryTest, InputsAndOutputsThroughARegisteredRegion) {
  ShmObject shm(4096);
  shm.Write(0, images_.bytes());
  const grpc::Status registered = Register("in", shm.key(), 0, kInputBytes);
  ASSERT_TRUE(registered.ok()) << registered.error_code() << " " << registered.error_message();
  ASSERT_TRUE(Register("out", shm.key(), 2048, kOutputBytes).ok());

  inference::ModelInferResponse in_request;
  ASSERT_TRUE(Infer(false, 0, false, &in_request).ok());
  inference::ModelInferResponse through_shm;
  const grpc::Status status = Infer(true, 0, true, &through_shm);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The same scores, in the region instead of the response; the response says where.
  ASSERT_EQ(through_shm.outputs_size(), 1);
  ASSERT_EQ(through_shm.raw_output_contents_size(), 1);
  EXPECT_TRUE(through_shm.raw_output_contents(0).empty());
  const auto& parameters = through_shm.outputs(0).parameters();
  EXPECT_EQ(parameters.at("shared_memory_region").string_param(), "out");
  EXPECT_EQ(parameters.at("shared_memory_byte_size").int64_param(),
            static_cast<int64_t>(kOutputBytes));
  EXPECT_EQ(shm.Read(2048, kOutputBytes), in_request.raw_output_contents(0));

  // Status lists both regions as registered.
  grpc::ClientContext context;
  inference::SystemSharedMemoryStatusRequest request;
  inference::SystemSharedMemoryStatusResponse regions;
  ASSERT_TRUE(stub_->SystemSharedMemoryStatus(&context, request, &regions).ok());
  ASSERT_EQ(regions.regions().size(), 2u);
  EXPECT_EQ(regions.regions().at("out").key(), shm.key());
  EXPECT_EQ(regions.regions().at("out").offset(), 2048u);
  EXPECT_EQ(regions.regions().at("out").byte_size(), kOutputBytes);

  // Every use is checked against the registered size: an offset that runs past the region fails.
  inference::ModelInferResponse refused;
  const grpc::Status past_end = Infer(true, 4, false, &refused);
  EXPECT_EQ(past_end.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(past_end.error_message(),
              HasSubstr("exceeds the 1024 bytes of shared memory region"));

  // The limit on regions (--max-shared-memory-regions=2).
  EXPECT_EQ(Register("third", shm.key(), 0, 8).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A path is never opened.
  EXPECT_EQ(Register("path", "/etc/passwd", 0, 8).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Unregistered, the region is gone for later requests.
  {
    grpc::ClientContext unregister_context;
    inference::SystemSharedMemoryUnregisterRequest unregister;
    unregister.set_name("in");
    inference::SystemSharedMemoryUnregisterResponse done;
    ASSERT_TRUE(stub_->SystemSharedMemoryUnregister(&unregister_context, unregister, &done).ok());
  }
  const grpc::Status gone = Infer(true, 0, false, &refused);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(gone.error_message(), HasSubstr("Unable to find system shared memory region: 'in'"));
  EXPECT_EQ(daemon_->Stop(), 0);
}

TEST_F(SharedMemoryTest, OverHttpTheSameRegistryChecksAndResults) {
  using json = nlohmann::json;
  const int port = daemon_->http_port();
  ShmObject shm(4096);
  shm.Write(0, images_.bytes());
  auto post = [&](const std::string& path, const json& body) {
    return Must(HttpRequest(port, "POST", path, body.dump()));
  };
  auto registration = [&](uint64_t offset, uint64_t byte_size) {
    return json{{"key", shm.key()}, {"offset", offset}, {"byte_size", byte_size}};
  };

  // A region larger than the object, a missing key, a path for a key: refused, nothing held.
  HttpResponse http = post("/v2/systemsharedmemory/region/big/register", registration(0, 8192));
  EXPECT_EQ(http.status, 400) << http.body;
  EXPECT_EQ(post("/v2/systemsharedmemory/region/r/register", json{{"byte_size", 8}}).status, 400);
  EXPECT_EQ(post("/v2/systemsharedmemory/region/r/register",
                 json{{"key", "/etc/passwd"}, {"byte_size", 8}})
                .status,
            400);

  http = post("/v2/systemsharedmemory/region/in/register", registration(0, kInputBytes));
  ASSERT_EQ(http.status, 200) << http.body;
  // Registered over HTTP, seen over gRPC: one registry.
  ASSERT_TRUE(Register("out", shm.key(), 2048, kOutputBytes).ok());
  EXPECT_EQ(post("/v2/systemsharedmemory/region/in/register", registration(0, 8)).status, 400);
  // The limit on regions (--max-shared-memory-regions=2), as over gRPC.
  EXPECT_EQ(post("/v2/systemsharedmemory/region/third/register", registration(0, 8)).status, 429);

  http = Must(HttpRequest(port, "GET", "/v2/systemsharedmemory/status"));
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(json::parse(http.body).size(), 2u);
  http = Must(HttpRequest(port, "GET", "/v2/systemsharedmemory/region/out/status"));
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(json::parse(http.body),
            json::parse(absl::StrCat(R"([{"name":"out","key":")", shm.key(),
                                     R"(","offset":2048,"byte_size":)", kOutputBytes, "}]")));
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/systemsharedmemory/region/nope/status")).status,
            404);

  // The input from region "in", the scores into region "out": the bytes of an in-request answer.
  inference::ModelInferResponse in_request;
  ASSERT_TRUE(Infer(false, 0, false, &in_request).ok());
  auto request = [&](uint64_t input_offset) {
    json input_parameters = {{"shared_memory_region", "in"},
                             {"shared_memory_byte_size", kInputBytes}};
    if (input_offset > 0) input_parameters["shared_memory_offset"] = input_offset;
    return json{{"inputs", json::array({{{"name", "images"},
                                         {"datatype", "FP32"},
                                         {"shape", {kSharedRows, 8, 8, 1}},
                                         {"parameters", input_parameters}}})},
                {"outputs", json::array({{{"name", "scores"},
                                          {"parameters",
                                           {{"shared_memory_region", "out"},
                                            {"shared_memory_byte_size", kOutputBytes}}}}})}};
  };
  http = post("/v2/models/digits_fp32/infer", request(0));
  ASSERT_EQ(http.status, 200) << http.body;
  const json answer = json::parse(http.body);
  ASSERT_EQ(answer["outputs"].size(), 1u);
  const json& scores = answer["outputs"][0];
  EXPECT_EQ(scores["shape"], json::array({kSharedRows, 10}));
  EXPECT_FALSE(scores.contains("data"));
  EXPECT_EQ(scores["parameters"]["shared_memory_region"], "out");
  EXPECT_EQ(scores["parameters"]["shared_memory_byte_size"], kOutputBytes);
  EXPECT_EQ(shm.Read(2048, kOutputBytes), in_request.raw_output_contents(0));

  // Every use is checked against the region as registered.
  http = post("/v2/models/digits_fp32/infer", request(4));
  EXPECT_EQ(http.status, 400);
  EXPECT_THAT(ErrorOf(http), HasSubstr("exceeds the 1024 bytes of shared memory region"));
  json with_data = request(0);
  with_data["inputs"][0]["data"] = json::array({1.0});
  EXPECT_EQ(post("/v2/models/digits_fp32/infer", with_data).status, 400);

  // Unregistered, the region is gone; unregistering everything leaves none.
  ASSERT_EQ(post("/v2/systemsharedmemory/region/in/unregister", json::object()).status, 200);
  http = post("/v2/models/digits_fp32/infer", request(0));
  EXPECT_EQ(http.status, 404);
  EXPECT_THAT(ErrorOf(http), HasSubstr("Unable to find system shared memory region: 'in'"));
  ASSERT_EQ(post("/v2/systemsharedmemory/unregister", json::object()).status, 200);
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/systemsharedmemory/status")).body, "[]");

  // CUDA shared memory: an error that says why.
  http = Must(HttpRequest(port, "GET", "/v2/cudasharedmemory/status"));
  EXPECT_EQ(http.status, 501);
  EXPECT_THAT(ErrorOf(http), HasSubstr("inferd has no CUDA devices"));
  EXPECT_EQ(daemon_->Stop(), 0);
}

TEST_F(SharedMemoryTest, StreamedRequestsUseRegionsToo) {
  ShmObject shm(4096);
  shm.Write(0, images_.bytes());
  ASSERT_TRUE(Register("in", shm.key(), 0, kInputBytes).ok());
  ASSERT_TRUE(Register("out", shm.key(), 2048, kOutputBytes).ok());
  inference::ModelInferResponse in_request;
  ASSERT_TRUE(Infer(false, 0, false, &in_request).ok());

  grpc::ClientContext context;
  auto stream = stub_->ModelStreamInfer(&context);
  inference::ModelInferRequest request = Request(true, 0, true);
  request.set_id("streamed");
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  inference::ModelStreamInferResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.error_message(), "");
  EXPECT_EQ(response.infer_response().id(), "streamed");
  EXPECT_EQ(shm.Read(2048, kOutputBytes), in_request.raw_output_contents(0));
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace inferd::testing
