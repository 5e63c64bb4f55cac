// The HTTP/REST endpoint end to end: the real daemon on ephemeral loopback ports, driven with
// libcurl, its answers compared with the gRPC service's for the same requests.
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "inference.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/integration/daemon_process.h"
#include "tests/integration/digits_data.h"
#include "tests/integration/http_client.h"

namespace inferd::testing {
namespace {

using json = nlohmann::json;

constexpr int64_t kRows = 8;

std::unique_ptr<inference::GRPCInferenceService::Stub> GrpcStub(const DaemonProcess& daemon) {
  return inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(daemon.grpc_address(), grpc::InsecureChannelCredentials()));
}

// The gRPC answer to `request`, or its error message.
absl::StatusOr<inference::ModelInferResponse> GrpcInfer(
    inference::GRPCInferenceService::Stub& stub, const inference::ModelInferRequest& request) {
  grpc::ClientContext context;
  inference::ModelInferResponse response;
  const grpc::Status status = stub.ModelInfer(&context, request, &response);
  if (!status.ok())
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  return response;
}

inference::ModelInferRequest GrpcRequest(const std::string& model, const Tensor& images) {
  inference::ModelInferRequest request;
  request.set_model_name(model);
  auto* input = request.add_inputs();
  input->set_name("images");
  input->set_datatype(std::string(DataTypeName(images.dtype())));
  for (int64_t dim : images.shape()) input->add_shape(dim);
  const auto bytes = images.bytes();
  request.add_raw_input_contents(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return request;
}

// The KServe JSON request for `images` (FP32 or INT8), its values as JSON numbers.
json JsonRequest(const Tensor& images) {
  json data = json::array();
  if (images.dtype() == DataType::kFp32) {
    for (float value : images.values<float>()) data.push_back(value);
  } else {
    for (int8_t value : images.values<int8_t>()) data.push_back(value);
  }
  return {{"inputs",
           {{{"name", "images"},
             {"shape", images.shape()},
             {"datatype", std::string(DataTypeName(images.dtype()))},
             {"data", data}}}}};
}

// A JSON output's `data` as the little-endian bytes of its datatype.
std::string DataBytes(const json& output) {
  std::string bytes;
  const std::string datatype = output["datatype"].get<std::string>();
  for (const json& value : output["data"]) {
    if (datatype == "FP32") {
      const float f = value.get<float>();
      bytes.append(reinterpret_cast<const char*>(&f), sizeof f);
    } else if (datatype == "INT8") {
      bytes.push_back(static_cast<char>(value.get<int8_t>()));
    } else if (datatype == "BYTES") {
      const std::string text = value.get<std::string>();
      const auto length = static_cast<uint32_t>(text.size());
      bytes.append(reinterpret_cast<const char*>(&length), 4);
      bytes += text;
    } else {
      ADD_FAILURE() << "unexpected datatype " << datatype;
    }
  }
  return bytes;
}

class HttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = DaemonProcess::Start({"--http-max-input-size=262144"});
    ASSERT_TRUE(started.ok()) << started.status();
    daemon_ = started->release();
    auto data = LoadDigitsData();
    ASSERT_TRUE(data.ok()) << data.status();
    data_ = new DigitsData(*std::move(data));
  }
  static void TearDownTestSuite() {
    delete daemon_;
    delete data_;
  }
  static int port() { return daemon_->http_port(); }

  static DaemonProcess* daemon_;
  static DigitsData* data_;
};

DaemonProcess* HttpTest::daemon_ = nullptr;
DigitsData* HttpTest::data_ = nullptr;

TEST_F(HttpTest, HealthAndMetadata) {
  ASSERT_GT(port(), 0);
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/health/live")).status, 200);
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/health/ready")).status, 200);
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/models/digits_fp32/ready")).status, 200);
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/models/digits_fp32/versions/1/ready")).status,
            200);
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/models/nope/ready")).status, 400);

  const HttpResponse server = Must(HttpRequest(port(), "GET", "/v2"));
  ASSERT_EQ(server.status, 200) << server.body;
  EXPECT_EQ(server.headers.at("content-type"), "application/json");
  const json server_json = json::parse(server.body);
  EXPECT_EQ(server_json["name"], "inferd");
  EXPECT_NE(std::find(server_json["extensions"].begin(), server_json["extensions"].end(),
                      "binary_tensor_data"),
            server_json["extensions"].end());

  for (const char* path : {"/v2/models/digits_fp32", "/v2/models/digits_fp32/versions/1"}) {
    const HttpResponse metadata = Must(HttpRequest(port(), "GET", path));
    ASSERT_EQ(metadata.status, 200) << metadata.body;
    const json model = json::parse(metadata.body);
    EXPECT_EQ(model["name"], "digits_fp32");
    EXPECT_EQ(model["versions"], json::array({"1"}));
    EXPECT_EQ(model["inputs"][0]["name"], "images");
    EXPECT_EQ(model["inputs"][0]["datatype"], "FP32");
    EXPECT_EQ(model["inputs"][0]["shape"], json::array({-1, 8, 8, 1}));
    EXPECT_EQ(model["outputs"][0]["shape"], json::array({-1, 10}));
  }

  const HttpResponse unknown = Must(HttpRequest(port(), "GET", "/v2/models/nope"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorOf(unknown), "Request for unknown model: 'nope' is not found");
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/models/digits_fp32/versions/7")).status, 404);
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v3")).status, 404);
  EXPECT_EQ(Must(HttpRequest(port(), "POST", "/v2/health/live")).status, 405);
}

TEST_F(HttpTest, JsonInferenceMatchesGrpcByteForByte) {
  auto stub = GrpcStub(*daemon_);
  for (const auto& [model, images] : {std::pair{"digits_fp32", &data_->images_fp32},
                                      std::pair{"digits_int8", &data_->images_int8}}) {
    SCOPED_TRACE(model);
    const Tensor rows = Rows(*images, 0, kRows);
    auto grpc = GrpcInfer(*stub, GrpcRequest(model, rows));
    ASSERT_TRUE(grpc.ok()) << grpc.status();

    const HttpResponse http = Must(HttpRequest(
        port(), "POST", absl::StrCat("/v2/models/", model, "/infer"), JsonRequest(rows).dump()));
    ASSERT_EQ(http.status, 200) << http.body;
    EXPECT_EQ(http.headers.count("inference-header-content-length"), 0u);
    const json response = json::parse(http.body);
    EXPECT_EQ(response["model_name"], model);
    EXPECT_EQ(response["model_version"], "1");
    ASSERT_EQ(response["outputs"].size(), 1u);
    const json& output = response["outputs"][0];
    EXPECT_EQ(output["name"], grpc->outputs(0).name());
    EXPECT_EQ(output["datatype"], grpc->outputs(0).datatype());
    EXPECT_EQ(output["shape"], json::array({kRows, 10}));
    EXPECT_EQ(DataBytes(output), grpc->raw_output_contents(0));
  }
}

TEST_F(HttpTest, BinaryTensorsInAndOut) {
  auto stub = GrpcStub(*daemon_);
  const Tensor rows = Rows(data_->images_fp32, 8, kRows);
  auto grpc = GrpcInfer(*stub, GrpcRequest("digits_fp32", rows));
  ASSERT_TRUE(grpc.ok()) << grpc.status();
  const auto pixels = rows.bytes();
  const std::string binary(reinterpret_cast<const char*>(pixels.data()), pixels.size());

  // Binary in, binary out through the output's own parameter.
  json header = {{"id", "binary-1"},
                 {"inputs",
                  {{{"name", "images"},
                    {"shape", rows.shape()},
                    {"datatype", "FP32"},
                    {"parameters", {{"binary_data_size", binary.size()}}}}}},
                 {"outputs", {{{"name", "scores"}, {"parameters", {{"binary_data", true}}}}}}};
  std::string text = header.dump();
  HttpResponse http =
      Must(HttpRequest(port(), "POST", "/v2/models/digits_fp32/infer", text + binary,
                       {absl::StrCat("Inference-Header-Content-Length: ", text.size())}));
  ASSERT_EQ(http.status, 200) << http.body;
  ASSERT_EQ(http.headers.count("inference-header-content-length"), 1u);
  size_t json_size = std::stoul(http.headers.at("inference-header-content-length"));
  ASSERT_LE(json_size, http.body.size());
  json response = json::parse(http.body.substr(0, json_size));
  EXPECT_EQ(response["id"], "binary-1");
  EXPECT_EQ(response["outputs"][0]["parameters"]["binary_data_size"],
            grpc->raw_output_contents(0).size());
  EXPECT_FALSE(response["outputs"][0].contains("data"));
  EXPECT_EQ(http.body.substr(json_size), grpc->raw_output_contents(0));

  // Binary in, JSON out; then binary_data_output for every output, with no outputs named.
  header.erase("outputs");
  text = header.dump();
  http = Must(HttpRequest(port(), "POST", "/v2/models/digits_fp32/infer", text + binary,
                          {absl::StrCat("Inference-Header-Content-Length: ", text.size())}));
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(DataBytes(json::parse(http.body)["outputs"][0]), grpc->raw_output_contents(0));

  json json_in = JsonRequest(rows);
  json_in["parameters"] = {{"binary_data_output", true}};
  http = Must(HttpRequest(port(), "POST", "/v2/models/digits_fp32/infer", json_in.dump()));
  ASSERT_EQ(http.status, 200) << http.body;
  json_size = std::stoul(http.headers.at("inference-header-content-length"));
  EXPECT_EQ(http.body.substr(json_size), grpc->raw_output_contents(0));

  // Binary data that does not add up to the inputs' binary_data_size.
  text = header.dump();
  http = Must(HttpRequest(port(), "POST", "/v2/models/digits_fp32/infer", text + binary + "xx",
                          {absl::StrCat("Inference-Header-Content-Length: ", text.size())}));
  EXPECT_EQ(http.status, 400);
  EXPECT_EQ(ErrorOf(http),
            "2 bytes of binary data follow the JSON that no input's binary_data_size accounts for");
}

TEST_F(HttpTest, ClassificationMatchesGrpc) {
  auto stub = GrpcStub(*daemon_);
  const Tensor rows = Rows(data_->images_fp32, 0, 2);
  inference::ModelInferRequest request = GrpcRequest("digits_fp32", rows);
  auto* wanted = request.add_outputs();
  wanted->set_name("scores");
  (*wanted->mutable_parameters())["classification"].set_int64_param(3);
  auto grpc = GrpcInfer(*stub, request);
  ASSERT_TRUE(grpc.ok()) << grpc.status();

  json body = JsonRequest(rows);
  body["outputs"] = {{{"name", "scores"}, {"parameters", {{"classification", 3}}}}};
  const HttpResponse http =
      Must(HttpRequest(port(), "POST", "/v2/models/digits_fp32/infer", body.dump()));
  ASSERT_EQ(http.status, 200) << http.body;
  const json output = json::parse(http.body)["outputs"][0];
  EXPECT_EQ(output["datatype"], "BYTES");
  EXPECT_EQ(output["shape"], json::array({2, 3}));
  EXPECT_EQ(DataBytes(output), grpc->raw_output_contents(0));
}

// Each bad request gets the status Triton would give and gRPC's message; the daemon goes on.
TEST_F(HttpTest, BadRequestsGetTheirStatusAndTheDaemonKeepsServing) {
  auto stub = GrpcStub(*daemon_);
  const Tensor rows = Rows(data_->images_fp32, 0, 1);
  auto post = [&](const std::string& model, const std::string& body) {
    return Must(HttpRequest(port(), "POST", absl::StrCat("/v2/models/", model, "/infer"), body));
  };

  HttpResponse http = post("digits_fp32", "{\"inputs\": [");
  EXPECT_EQ(http.status, 400);
  EXPECT_EQ(ErrorOf(http).rfind("malformed JSON: parse error at line 1, column 13", 0), 0u)
      << ErrorOf(http);
  EXPECT_EQ(post("digits_fp32", "[1, 2]").status, 400);
  EXPECT_EQ(post("digits_fp32", std::string(100, '[') + std::string(100, ']')).status, 400);

  // A wrong shape and a wrong datatype: the same message as gRPC gives.
  json wrong_shape = JsonRequest(rows);
  wrong_shape["inputs"][0]["shape"] = {1, 64};
  inference::ModelInferRequest grpc_request = GrpcRequest("digits_fp32", rows);
  grpc_request.mutable_inputs(0)->clear_shape();
  grpc_request.mutable_inputs(0)->add_shape(1);
  grpc_request.mutable_inputs(0)->add_shape(64);
  auto grpc = GrpcInfer(*stub, grpc_request);
  ASSERT_FALSE(grpc.ok());
  http = post("digits_fp32", wrong_shape.dump());
  EXPECT_EQ(http.status, 400);
  EXPECT_EQ(ErrorOf(http), grpc.status().message());

  // INT8 images to the FP32 model: the decoder names both datatypes.
  http = post("digits_fp32", JsonRequest(Rows(data_->images_int8, 0, 1)).dump());
  EXPECT_EQ(http.status, 400);
  EXPECT_EQ(ErrorOf(http),
            "model 'digits_fp32' version 1 input 'images': expected datatype FP32, "
            "got 'INT8'");
  // Values that are not of the datatype the request names are refused while reading the JSON.
  json wrong_values = JsonRequest(rows);
  wrong_values["inputs"][0]["datatype"] = "INT32";
  wrong_values["inputs"][0]["data"][0] = 0.5;
  http = post("digits_fp32", wrong_values.dump());
  EXPECT_EQ(http.status, 400);
  EXPECT_EQ(ErrorOf(http), "input 'images': data value at index 0 is not a 32-bit integer");

  json int8_out_of_range = JsonRequest(Rows(data_->images_int8, 0, 1));
  int8_out_of_range["inputs"][0]["data"][0] = 300;
  http = post("digits_int8", int8_out_of_range.dump());
  EXPECT_EQ(http.status, 400);
  EXPECT_NE(ErrorOf(http).find("contents value 300 at index 0 is outside INT8's range"),
            std::string::npos)
      << ErrorOf(http);

  http = post("nope", JsonRequest(rows).dump());
  EXPECT_EQ(http.status, 404);
  EXPECT_EQ(ErrorOf(http), "Request for unknown model: 'nope' is not found");

  // Larger than --http-max-input-size (256 KiB): refused before it is read.
  http = post("digits_fp32", std::string(300000, ' '));
  EXPECT_EQ(http.status, 413);
  EXPECT_NE(ErrorOf(http).find("--http-max-input-size"), std::string::npos);

  http = post("digits_fp32", JsonRequest(rows).dump());
  EXPECT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/health/ready")).status, 200);
}

TEST_F(HttpTest, ConfigStatisticsRepositoryAndUnimplementedExtensions) {
  HttpResponse http = Must(HttpRequest(port(), "GET", "/v2/models/digits_fp32/config"));
  ASSERT_EQ(http.status, 200) << http.body;
  json config = json::parse(http.body);
  EXPECT_EQ(config["name"], "digits_fp32");
  EXPECT_EQ(config["max_batch_size"], 64);
  EXPECT_EQ(config["input"][0]["dims"], json::array({8, 8, 1}));
  EXPECT_EQ(config["input"][0]["data_type"], "TYPE_FP32");

  ASSERT_EQ(Must(HttpRequest(port(), "POST", "/v2/models/digits_fp32/infer",
                             JsonRequest(Rows(data_->images_fp32, 0, 1)).dump()))
                .status,
            200);
  for (const char* path : {"/v2/models/stats", "/v2/models/digits_fp32/stats",
                           "/v2/models/digits_fp32/versions/1/stats"}) {
    http = Must(HttpRequest(port(), "GET", path));
    ASSERT_EQ(http.status, 200) << http.body;
    const json stats = json::parse(http.body)["model_stats"];
    bool found = false;
    for (const json& model : stats) {
      if (model["name"] != "digits_fp32") continue;
      found = true;
      EXPECT_GE(model["inference_count"].get<int64_t>(), 1);
      EXPECT_GE(model["inference_stats"]["success"]["count"].get<int64_t>(), 1);
    }
    EXPECT_TRUE(found) << path;
  }
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/models/nope/stats")).status, 404);

  http = Must(HttpRequest(port(), "POST", "/v2/repository/index"));
  ASSERT_EQ(http.status, 200) << http.body;
  const json index = json::parse(http.body);
  ASSERT_TRUE(index.is_array());
  ASSERT_EQ(index.size(), 3u);  // digits_fp32, digits_int8, digits_int8_gpu
  EXPECT_EQ(index[0]["name"], "digits_fp32");
  EXPECT_EQ(index[0]["state"], "READY");

  // Load and unload need explicit mode, as over gRPC.
  http = Must(HttpRequest(port(), "POST", "/v2/repository/models/digits_fp32/unload"));
  EXPECT_EQ(http.status, 400);
  EXPECT_NE(ErrorOf(http).find("--model-control-mode=explicit"), std::string::npos);

  http = Must(HttpRequest(port(), "GET", "/v2/trace/setting"));
  EXPECT_EQ(http.status, 501);
  EXPECT_NE(ErrorOf(http).find("inferd does not trace requests"), std::string::npos);
  // System shared memory is served (SharedMemoryTest.OverHttp...), CUDA's is not.
  http = Must(HttpRequest(port(), "GET", "/v2/systemsharedmemory/status"));
  EXPECT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(http.body, "[]");
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/systemsharedmemory/region/r/nothing")).status,
            404);
  EXPECT_EQ(Must(HttpRequest(port(), "GET", "/v2/systemsharedmemory/region/r/register")).status,
            405);
  http = Must(HttpRequest(port(), "POST", "/v2/cudasharedmemory/region/r/unregister"));
  EXPECT_EQ(http.status, 501);
  EXPECT_NE(ErrorOf(http).find("no CUDA devices"), std::string::npos);
}

TEST_F(HttpTest, LoggingIsReadableButNotChangeableByDefault) {
  HttpResponse http = Must(HttpRequest(port(), "GET", "/v2/logging"));
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(json::parse(http.body)["log_info"], true);
  http = Must(HttpRequest(port(), "POST", "/v2/logging", R"({"log_verbose_level": 1})"));
  EXPECT_EQ(http.status, 403);
  EXPECT_NE(ErrorOf(http).find("--allow-log-settings-update"), std::string::npos);
}

TEST(HttpExplicitModeTest, LoadUnloadAndLogSettingsOverHttp) {
  auto daemon = DaemonProcess::Start({"--model-control-mode=explicit", "--load-model=digits_fp32",
                                      "--allow-log-settings-update=true"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const int port = (*daemon)->http_port();
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/models/digits_int8/ready")).status, 400);
  HttpResponse http = Must(HttpRequest(port, "POST", "/v2/repository/models/digits_int8/load"));
  EXPECT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/models/digits_int8/ready")).status, 200);
  http = Must(HttpRequest(port, "POST", "/v2/repository/models/digits_int8/unload", "{}"));
  EXPECT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/models/digits_int8/ready")).status, 400);
  http = Must(HttpRequest(port, "POST", "/v2/repository/index", R"({"ready": true})"));
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(json::parse(http.body).size(), 1u);

  // Load parameters are checked as over gRPC (model_push_test.cc pushes models over both).
  http = Must(HttpRequest(port, "POST", "/v2/repository/models/digits_int8/load",
                          R"({"parameters": {"config": "{\"max_batch_sise\": 4}"}})"));
  EXPECT_EQ(http.status, 400);
  EXPECT_NE(ErrorOf(http).find("Invalid config override"), std::string::npos) << http.body;
  http = Must(HttpRequest(port, "POST", "/v2/repository/models/nope/load"));
  EXPECT_EQ(http.status / 100, 4) << http.body;

  http = Must(HttpRequest(port, "POST", "/v2/logging", R"({"log_verbose_level": 1})"));
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(json::parse(http.body)["log_verbose_level"], 1);
  http = Must(HttpRequest(port, "POST", "/v2/logging", R"({"log_verbose_level": 7})"));
  EXPECT_EQ(http.status, 400);
}

TEST(HttpRestrictedApiTest, RestrictedGroupsNeedTheirHeaderAndRefusalsAreCounted) {
  auto daemon = DaemonProcess::Start(
      {"--model-control-mode=explicit", "--load-model=digits_fp32",
       "--http-restricted-api=model-repository,statistics,shared-memory:x-key=s3"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const int port = (*daemon)->http_port();
  // Open groups are served as usual.
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/health/ready")).status, 200);
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/models/digits_fp32")).status, 200);
  // Restricted ones need the header with its value: missing or wrong is 403 and nothing happens.
  HttpResponse http = Must(HttpRequest(port, "POST", "/v2/repository/models/digits_fp32/unload"));
  EXPECT_EQ(http.status, 403) << http.body;
  EXPECT_NE(ErrorOf(http).find("expecting header 'x-key'"), std::string::npos) << http.body;
  EXPECT_EQ(ErrorOf(http).find("s3"), std::string::npos) << "the value must never be quoted";
  http = Must(HttpRequest(port, "GET", "/v2/models/stats", "", {"x-key: wrong"}));
  EXPECT_EQ(http.status, 403) << http.body;
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/models/digits_fp32/ready")).status, 200);
  http = Must(HttpRequest(port, "GET", "/v2/models/stats", "", {"x-key: s3"}));
  EXPECT_EQ(http.status, 200) << http.body;
  http = Must(
      HttpRequest(port, "POST", "/v2/repository/models/digits_fp32/unload", "", {"x-key: s3"}));
  EXPECT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/models/digits_fp32/ready")).status, 400);
  EXPECT_EQ(Must(HttpRequest(port, "GET", "/v2/systemsharedmemory/status")).status, 403);
  EXPECT_EQ(
      Must(HttpRequest(port, "GET", "/v2/systemsharedmemory/status", "", {"x-key: s3"})).status,
      200);

  auto page = HttpGet((*daemon)->metrics_port(), "/metrics");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_NE(
      page->find("inferd_requests_refused_total{group=\"model-repository\",protocol=\"http\"} 1"),
      std::string::npos)
      << *page;
  EXPECT_NE(page->find("inferd_requests_refused_total{group=\"statistics\",protocol=\"http\"} 1"),
            std::string::npos)
      << *page;
}

TEST(HttpDisabledTest, AllowHttpFalseServesNoHttp) {
  auto daemon = DaemonProcess::Start({"--allow-http=false"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ((*daemon)->http_port(), 0);
  EXPECT_NE((*daemon)->Log().find("HTTP/REST endpoint off"), std::string::npos);
}

}  // namespace
}  // namespace inferd::testing
