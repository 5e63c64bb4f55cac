// Triton's model push end to end: RepositoryModelLoad (gRPC) and POST
// /v2/repository/models/{m}/load (HTTP) with a `config` override and `file:` contents, against the
// real daemon. The pushed files go to a private overlay under --model-push-dir; the repository the
// operator gave is never written.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/inference_client.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "inference.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/integration/daemon_process.h"
#include "tests/integration/digits_data.h"
#include "tests/integration/http_client.h"

namespace inferd::testing {
namespace {
namespace fs = std::filesystem;
using client::InferenceClient;
using client::NamedTensor;
using json = nlohmann::json;

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Every path below `root` with its size: what "nothing was written" compares.
std::map<std::string, uintmax_t> Snapshot(const fs::path& root) {
  std::map<std::string, uintmax_t> entries;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    entries[fs::relative(entry.path(), root).string()] =
        entry.is_regular_file() ? entry.file_size() : 0;
  }
  return entries;
}

// digits_int8's config.pbtxt as Triton's JSON, under another name.
std::string DigitsInt8ConfigJson(const std::string& name, int max_batch_size = 64) {
  return json{{"name", name},
              {"backend", "tosa_cpu"},
              {"max_batch_size", max_batch_size},
              {"input", {{{"name", "images"}, {"data_type", "TYPE_INT8"}, {"dims", {8, 8, 1}}}}},
              {"output", {{{"name", "scores"}, {"data_type", "TYPE_INT8"}, {"dims", {10}}}}},
              {"instance_group", {{{"count", 1}, {"kind", "KIND_CPU"}}}}}
      .dump();
}

class ModelPushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A folder of this test's own: ctest runs the tests of this suite in parallel processes.
    std::string base = (fs::path(::testing::TempDir()) / "inferd_model_push_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(base.data()), nullptr) << base;
    base_ = base;
    fs::create_directories(base_ / "push");
    fs::create_directories(repository());
    fs::copy(SourceDir() + "/examples/models/digits_int8", repository() / "digits_int8",
             fs::copy_options::recursive);
    int8_model_ = ReadBytes(repository() / "digits_int8" / "1" / "model.tosa");
    fp32_model_ = ReadBytes(SourceDir() + "/examples/models/digits_fp32/1/model.tosa");
    ASSERT_FALSE(int8_model_.empty());
    before_ = Snapshot(repository());
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path repository() const { return base_ / "repository"; }

  void StartDaemon(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--model-repository=" + repository().string(),
                                     "--model-control-mode=explicit",
                                     "--model-push-dir=" + (base_ / "push").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto daemon = DaemonProcess::Start(args);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    stub_ = inference::GRPCInferenceService::NewStub(
        grpc::CreateChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials()));
    client_ = InferenceClient::Connect(daemon_->grpc_address(), absl::Seconds(60));
  }

  // The daemon's private folder inside --model-push-dir (made at start-up, one only).
  fs::path PushFolder() const {
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(base_ / "push")) folders.push_back(entry);
    EXPECT_EQ(folders.size(), 1u);
    return folders.empty() ? fs::path() : folders[0];
  }

  grpc::Status Load(const std::string& model, const std::string& config,
                    const std::map<std::string, std::string>& files) {
    inference::RepositoryModelLoadRequest request;
    request.set_model_name(model);
    if (!config.empty()) (*request.mutable_parameters())["config"].set_string_param(config);
    for (const auto& [name, bytes] : files) {
      (*request.mutable_parameters())[name].set_bytes_param(bytes);
    }
    grpc::ClientContext context;
    inference::RepositoryModelLoadResponse response;
    return stub_->RepositoryModelLoad(&context, request, &response);
  }

  // The scores of `model` for the first rows of the held-out int8 digits.
  std::string Scores(const std::string& model) {
    auto data = LoadDigitsData();
    EXPECT_TRUE(data.ok()) << data.status();
    if (!data.ok()) return "";
    auto result = client_->Infer(model, {NamedTensor{"images", Rows(data->images_int8, 0, 16)}});
    EXPECT_TRUE(result.ok()) << model << ": " << result.status();
    if (!result.ok() || result->Find("scores") == nullptr) return "";
    const auto bytes = result->Find("scores")->bytes();
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

  fs::path base_;
  std::string int8_model_;
  std::string fp32_model_;
  std::map<std::string, uintmax_t> before_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
  std::unique_ptr<InferenceClient> client_;
};

TEST_F(ModelPushTest, ConfigOverrideShowsInModelConfigUntilAPlainLoad) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--load-model=digits_int8"}));
  ASSERT_EQ(client_->ModelConfig("digits_int8")->max_batch_size(), 64);

  const grpc::Status pushed = Load("digits_int8", DigitsInt8ConfigJson("digits_int8", 4), {});
  ASSERT_TRUE(pushed.ok()) << pushed.error_message();
  EXPECT_EQ(client_->ModelConfig("digits_int8")->max_batch_size(), 4);
  // In force, not only shown: a batch of 16 is now over the limit.
  auto data = LoadDigitsData();
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(client_->Infer("digits_int8", {NamedTensor{"images", Rows(data->images_int8, 0, 16)}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  // A load without parameters reads the repository again, as Triton does.
  ASSERT_TRUE(client_->Load("digits_int8").ok());
  EXPECT_EQ(client_->ModelConfig("digits_int8")->max_batch_size(), 64);
  EXPECT_EQ(Snapshot(repository()), before_);
}

TEST_F(ModelPushTest, PushedFilesServeLikeTheRepositoryModelAndLeaveNothingBehind) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--load-model=digits_int8"}));
  const fs::path folder = PushFolder();
  EXPECT_EQ(folder.filename().string().rfind("inferd-model-push-", 0), 0u) << folder;
  EXPECT_EQ(fs::status(folder).permissions() & fs::perms::all, fs::perms::owner_all);

  const grpc::Status pushed = Load("pushed_digits", DigitsInt8ConfigJson("pushed_digits"),
                                   {{"file:1/model.tosa", int8_model_}});
  ASSERT_TRUE(pushed.ok()) << pushed.error_message();
  EXPECT_TRUE(*client_->ModelReady("pushed_digits"));
  const std::string expected = Scores("digits_int8");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(Scores("pushed_digits"), expected);
  // Read into memory by the load, the pushed files are gone; the repository is untouched.
  EXPECT_TRUE(fs::is_empty(folder));
  EXPECT_EQ(Snapshot(repository()), before_);
  auto index = client_->RepositoryIndex(/*ready_only=*/true);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->size(), 2u);

  // A pushed model is not in the repository: loading it without files finds nothing to read.
  EXPECT_EQ(client_->Load("pushed_digits").code(), absl::StatusCode::kNotFound);

  // Pushing over a repository model replaces its files for that load only.
  const grpc::Status replaced =
      Load("digits_int8",
           json{{"name", "digits_int8"}, {"backend", "tosa_cpu"}, {"max_batch_size", 8}}.dump(),
           {{"file:1/model.tosa", fp32_model_}});
  ASSERT_TRUE(replaced.ok()) << replaced.error_message();
  EXPECT_EQ(client_->ModelMetadata("digits_int8")->inputs(0).datatype(), "FP32");
  ASSERT_TRUE(client_->Load("digits_int8").ok());
  EXPECT_EQ(client_->ModelMetadata("digits_int8")->inputs(0).datatype(), "INT8");

  EXPECT_EQ(daemon_->Stop(), 0);
  EXPECT_TRUE(fs::is_empty(base_ / "push")) << "the private folder is removed at exit";
}

TEST_F(ModelPushTest, RefusesTraversalNamesAndFilesWithoutConfigWritingNothing) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const fs::path folder = PushFolder();
  const auto outside_before = Snapshot(base_);
  for (const char* name : {"file:1/../../x", "file:/etc/passwd", "file:1/a/../../b", "file:../x",
                           "file:1//model.tosa", "file:01/model.tosa"}) {
    const grpc::Status status = Load("evil", DigitsInt8ConfigJson("evil"),
                                     {{"file:1/model.tosa", int8_model_}, {name, "x"}});
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_NE(status.error_message().find("Invalid file parameter"), std::string::npos)
        << status.error_message();
  }
  EXPECT_EQ(Snapshot(base_), outside_before);
  EXPECT_TRUE(fs::is_empty(folder));
  EXPECT_FALSE(fs::exists("/x"));
  EXPECT_FALSE(fs::exists(base_ / "x"));

  const grpc::Status no_config = Load("evil", "", {{"file:1/model.tosa", int8_model_}});
  EXPECT_EQ(no_config.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_config.error_message(),
            "Load parameter 'config' must be specified for model file override");
  const grpc::Status bad_config = Load("digits_int8", "{\"max_batch_sise\": 4}", {});
  EXPECT_EQ(bad_config.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad_config.error_message().rfind("Invalid config override: ", 0), 0u)
      << bad_config.error_message();
  EXPECT_FALSE(*client_->ModelReady("evil"));
}

TEST_F(ModelPushTest, PushesOverTheLimitsAreRefused) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--max-model-push-bytes=4096", "--max-model-push-files=1"}));
  const grpc::Status too_big =
      Load("big", DigitsInt8ConfigJson("big"), {{"file:1/model.tosa", int8_model_}});
  EXPECT_EQ(too_big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(too_big.error_message().find("--max-model-push-bytes"), std::string::npos)
      << too_big.error_message();
  const grpc::Status too_many =
      Load("many", DigitsInt8ConfigJson("many"), {{"file:1/a", "a"}, {"file:1/b", "b"}});
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(too_many.error_message().find("--max-model-push-files"), std::string::npos)
      << too_many.error_message();
  EXPECT_TRUE(fs::is_empty(PushFolder()));

  // A queued push holds its files in memory: they come out of the request memory budget.
  daemon_.reset();
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--max-inflight-request-bytes=4096"}));
  const grpc::Status over_budget =
      Load("big", DigitsInt8ConfigJson("big"), {{"file:1/model.tosa", int8_model_}});
  EXPECT_EQ(over_budget.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(over_budget.error_message().find("--max-inflight-request-bytes"), std::string::npos)
      << over_budget.error_message();
  const grpc::Status config_only = Load("digits_int8", DigitsInt8ConfigJson("digits_int8", 4), {});
  EXPECT_TRUE(config_only.ok()) << config_only.error_message();
}

TEST_F(ModelPushTest, HttpPushesBase64Files) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--load-model=digits_int8"}));
  const int port = daemon_->http_port();
  const json body = {{"parameters",
                      {{"config", DigitsInt8ConfigJson("http_digits")},
                       {"file:1/model.tosa", absl::Base64Escape(int8_model_)}}}};
  auto http = HttpRequest(port, "POST", "/v2/repository/models/http_digits/load", body.dump());
  ASSERT_TRUE(http.ok()) << http.status();
  ASSERT_EQ(http->status, 200) << http->body;
  EXPECT_EQ(Scores("http_digits"), Scores("digits_int8"));
  auto config = HttpRequest(port, "GET", "/v2/models/http_digits/config");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(json::parse(config->body)["max_batch_size"], 64);

  const json bad_base64 = {
      {"parameters",
       {{"config", DigitsInt8ConfigJson("other")}, {"file:1/model.tosa", "not base64!"}}}};
  http = HttpRequest(port, "POST", "/v2/repository/models/other/load", bad_base64.dump());
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(http->status, 400) << http->body;
  EXPECT_NE(http->body.find("base64"), std::string::npos) << http->body;

  const json traversal = {
      {"parameters",
       {{"config", DigitsInt8ConfigJson("other")}, {"file:1/../../x", absl::Base64Escape("x")}}}};
  http = HttpRequest(port, "POST", "/v2/repository/models/other/load", traversal.dump());
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(http->status, 400) << http->body;
  EXPECT_NE(http->body.find("Invalid file parameter"), std::string::npos) << http->body;
  EXPECT_TRUE(fs::is_empty(PushFolder()));
  EXPECT_EQ(Snapshot(repository()), before_);
}

TEST(ModelPushModeTest, NoPushOutsideExplicitMode) {
  auto daemon = DaemonProcess::Start({"--model-control-mode=none"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto stub = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel((*daemon)->grpc_address(), grpc::InsecureChannelCredentials()));
  inference::RepositoryModelLoadRequest request;
  request.set_model_name("digits_int8");
  (*request.mutable_parameters())["config"].set_string_param("{}");
  (*request.mutable_parameters())["file:1/model.tosa"].set_bytes_param("x");
  grpc::ClientContext context;
  inference::RepositoryModelLoadResponse response;
  const grpc::Status status = stub->RepositoryModelLoad(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("--model-control-mode=explicit"), std::string::npos);
}

}  // namespace
}  // namespace inferd::testing
