// End to end: the real inferd binary with a --targets-config naming a host agent, serving
// digits_int8 through the "ethosu" backend over gRPC. Outputs must equal the tosa_cpu backend's,
// the target's counters must come back as response parameters and show in /metrics, and the
// admin service (on the admin listener) must list, drain, add and remove targets.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "client/inference_client.h"
#include "grpcpp/grpcpp.h"
#include "inferd_admin.grpc.pb.h"
#include "inference.grpc.pb.h"
#include "tests/backends/ethosu/ethosu_test_support.h"
#include "tests/integration/daemon_process.h"

namespace inferd::ethosu {
namespace {
namespace fs = std::filesystem;

// A model repository with digits_int8 served by the ethosu backend on targets labelled
// npu=ethos-u55-128.
fs::path MakeRepository() {
  const fs::path root = fs::path(::testing::TempDir()) / absl::StrCat("ethosu_repo_", ::getpid());
  fs::remove_all(root);
  fs::create_directories(root / "digits_npu" / "1");
  fs::copy_file(fs::path(INFERD_SOURCE_DIR) / "examples/models/digits_int8/1/model.tosa",
                root / "digits_npu" / "1" / "model.tosa");
  std::ofstream(root / "digits_npu" / "config.pbtxt") << R"(
name: "digits_npu"
backend: "ethosu"
max_batch_size: 16
input [ { name: "images" data_type: TYPE_INT8 dims: [ 8, 8, 1 ] } ]
output [ { name: "scores" data_type: TYPE_INT8 dims: [ 10 ] } ]
instance_group [ { count: 2 kind: KIND_CPU } ]
parameters { key: "target_selector" value: { string_value: "npu=ethos-u55-128" } }
)";
  return root;
}

TEST(EthosuDaemonTest, ServesAModelOnAHostAgentTarget) {
  AgentOptions options;
  options.simulated_npu_product = 55;
  options.simulated_npu_macs = 128;
  auto agent = testing::StartAgent(options);
  const fs::path repository = MakeRepository();
  const fs::path targets = repository.parent_path() / absl::StrCat("targets_", ::getpid(), ".ini");
  std::ofstream(targets) << "[target agent0]\nkind = tcp\naddress = " << agent.address()
                         << "\nlabels = board=host\n";

  auto second = testing::StartAgent(options);
  auto daemon = inferd::testing::DaemonProcess::Start(
      {"--model-repository=" + repository.string(), "--targets-config=" + targets.string(),
       "--allow-admin=true", "--admin-allowed-tcp-targets=" + second.address()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_FALSE((*daemon)->admin_address().empty()) << (*daemon)->Log();

  // Inference through the KServe v2 API, read with the raw stub to see response parameters.
  const Tensor images = testing::DigitsImages(6, 7);
  auto request = client::MakeInferRequest("digits_npu", {{"images", images}}, {});
  ASSERT_TRUE(request.ok()) << request.status();
  auto channel = grpc::CreateChannel((*daemon)->grpc_address(), grpc::InsecureChannelCredentials());
  auto stub = inference::GRPCInferenceService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto response = std::make_shared<inference::ModelInferResponse>();
  grpc::Status status = stub->ModelInfer(&context, *request, response.get());
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << (*daemon)->Log();
  const auto& parameters = response->parameters();
  ASSERT_TRUE(parameters.contains("target"));
  EXPECT_EQ(parameters.at("target").string_param(), "agent0");
  ASSERT_TRUE(parameters.contains("npu_cycles"));
  EXPECT_GT(parameters.at("npu_cycles").int64_param(), 0);

  auto decoded = client::DecodeInferResponse(response);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const Tensor* scores = decoded->Find("scores");
  ASSERT_NE(scores, nullptr);
  const Tensor expected = testing::CpuReferenceScores(images);
  EXPECT_EQ(scores->shape(), (Shape{6, 10}));
  EXPECT_TRUE(std::equal(scores->bytes().begin(), scores->bytes().end(), expected.bytes().begin(),
                         expected.bytes().end()));

  auto metrics = inferd::testing::HttpGet((*daemon)->metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_NE(metrics->find("inferd_target_jobs_total{target=\"agent0\"} 1"), std::string::npos)
      << *metrics;
  EXPECT_NE(metrics->find("inferd_target_healthy{target=\"agent0\"} 1"), std::string::npos);
  EXPECT_NE(metrics->find("inferd_target_npu_cycles_total{target=\"agent0\"}"), std::string::npos);

  // The admin service, on its own listener.
  auto admin = admin::TargetAdmin::NewStub(
      grpc::CreateChannel((*daemon)->admin_address(), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext list_context;
    admin::ListTargetsResponse list;
    ASSERT_TRUE(admin->ListTargets(&list_context, {}, &list).ok());
    ASSERT_EQ(list.targets_size(), 1);
    EXPECT_EQ(list.targets(0).name(), "agent0");
    EXPECT_TRUE(list.targets(0).healthy());
    EXPECT_EQ(list.targets(0).labels().at("npu"), "ethos-u55-128");
    EXPECT_EQ(list.targets(0).labels().at("board"), "host");
    EXPECT_EQ(list.targets(0).jobs(), 1u);
  }
  {
    grpc::ClientContext add_context;
    admin::AddTargetRequest add;
    add.mutable_target()->set_name("agent1");
    add.mutable_target()->set_kind("tcp");
    add.mutable_target()->set_address(second.address());
    admin::AddTargetResponse added;
    ASSERT_TRUE(admin->AddTarget(&add_context, add, &added).ok());
    EXPECT_TRUE(added.target().healthy());
    grpc::ClientContext duplicate_context;
    EXPECT_EQ(admin->AddTarget(&duplicate_context, add, &added).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  {
    grpc::ClientContext drain_context;
    admin::DrainTargetRequest drain;
    drain.set_name("agent0");
    admin::DrainTargetResponse drained;
    ASSERT_TRUE(admin->DrainTarget(&drain_context, drain, &drained).ok());
  }
  // With agent0 drained the next request runs on agent1.
  grpc::ClientContext again_context;
  inference::ModelInferResponse again;
  ASSERT_TRUE(stub->ModelInfer(&again_context, *request, &again).ok());
  EXPECT_EQ(again.parameters().at("target").string_param(), "agent1");
  {
    grpc::ClientContext remove_context;
    admin::RemoveTargetRequest remove;
    remove.set_name("agent0");
    admin::RemoveTargetResponse removed;
    ASSERT_TRUE(admin->RemoveTarget(&remove_context, remove, &removed).ok());
    grpc::ClientContext missing_context;
    EXPECT_EQ(admin->RemoveTarget(&missing_context, remove, &removed).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ((*daemon)->Stop(), 0);
  fs::remove_all(repository);
  fs::remove(targets);
}

TEST(EthosuDaemonTest, AnUnreachableTargetFailsRequestsWithUnavailable) {
  // A target that is configured but never answers: the model loads (the label is configured),
  // and requests fail UNAVAILABLE naming the target rather than hanging.
  auto agent = testing::StartAgent();
  const std::string address = agent.address();
  agent.server->Stop();
  const fs::path repository = MakeRepository();
  const fs::path targets = repository.parent_path() / absl::StrCat("targets_dead_", ::getpid());
  std::ofstream(targets) << "[target ghost]\nkind = tcp\naddress = " << address
                         << "\nlabels = npu=ethos-u55-128\nconnect_timeout_ms = 200\n";
  auto daemon = inferd::testing::DaemonProcess::Start(
      {"--model-repository=" + repository.string(), "--targets-config=" + targets.string()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = client::InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(30));
  auto result = client->Infer("digits_npu", {{"images", testing::DigitsImages(1)}});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
  EXPECT_NE(result.status().message().find("ghost"), absl::string_view::npos) << result.status();
  EXPECT_EQ((*daemon)->Stop(), 0);
  fs::remove_all(repository);
  fs::remove(targets);
}

// A target runs the whole network as one job, so the daemon's per-operator profile of an ethosu
// model is an empty list (inferctl says so), not an error.
TEST(EthosuDaemonTest, OperatorProfileOfARemoteModelHasNoOperators) {
  auto agent = testing::StartAgent();
  const fs::path repository = MakeRepository();
  const fs::path targets = repository.parent_path() / absl::StrCat("targets_profile_", ::getpid());
  std::ofstream(targets) << "[target agent0]\nkind = tcp\naddress = " << agent.address()
                         << "\nlabels = npu=ethos-u55-128\n";
  auto daemon = inferd::testing::DaemonProcess::Start(
      {"--model-repository=" + repository.string(), "--targets-config=" + targets.string()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = client::InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(30));
  ASSERT_TRUE(client->Infer("digits_npu", {{"images", testing::DigitsImages(1)}}).ok());
  auto profile = client->OperatorProfile("digits_npu");
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(profile->name(), "digits_npu");
  EXPECT_EQ(profile->inference_count(), 1u);
  EXPECT_EQ(profile->operators_size(), 0);
  EXPECT_EQ((*daemon)->Stop(), 0);
  fs::remove_all(repository);
  fs::remove(targets);
}

// ExecuTorch programs through the daemon: a model directory holding model.pte loads like a Vela bin
// stream, its scratch size is checked against the target before dispatch (the client sees both
// sizes), and a program with an operator left outside the delegate fails its load with the reason.
TEST(EthosuDaemonTest, ServesExecuTorchProgramsLikeBinStreams) {
  auto agent = testing::StartAgent(testing::SmallNpuAgentOptions());
  const fs::path root = fs::path(::testing::TempDir()) / absl::StrCat("pte_repo_", ::getpid());
  fs::remove_all(root);
  const auto stream = testing::DigitsLikeVelaStream(/*scratch=*/8u << 20);
  const std::vector<std::pair<std::string, std::vector<std::string>>> models = {
      {"digits_pte", {}}, {"cpu_op_pte", {"--cpu-op", "aten::add"}}};
  for (const auto& [name, args] : models) {
    fs::create_directories(root / name / "1");
    const auto pte = testing::GeneratePte(stream, args);
    std::ofstream(root / name / "1" / "model.pte", std::ios::binary)
        .write(reinterpret_cast<const char*>(pte.data()), static_cast<std::streamsize>(pte.size()));
    std::ofstream(root / name / "config.pbtxt") << "name: \"" << name << R"("
backend: "ethosu"
default_model_filename: "model.pte"
input [ { name: "images" data_type: TYPE_INT8 dims: [ 1, 8, 8, 1 ] } ]
output [ { name: "scores" data_type: TYPE_INT8 dims: [ 1, 10 ] } ]
)";
  }
  const fs::path targets = root / "targets.ini";
  std::ofstream(targets) << "[target npu0]\nkind = tcp\naddress = " << agent.address() << "\n";
  auto daemon = inferd::testing::DaemonProcess::Start(
      {"--model-repository=" + root.string(), "--targets-config=" + targets.string()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = client::InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(30));
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->ModelReady("digits_pte").value_or(false));
  EXPECT_FALSE(client->ModelReady("cpu_op_pte").value_or(true));
  auto index = client->RepositoryIndex();
  ASSERT_TRUE(index.ok()) << index.status();
  bool saw_reason = false;
  for (const auto& model : *index) {
    if (model.name() == "cpu_op_pte") {
      saw_reason = model.reason().find("aten::add.out runs outside the EthosUBackend delegate") !=
                   std::string::npos;
      EXPECT_TRUE(saw_reason) << model.reason();
    }
  }
  EXPECT_TRUE(saw_reason);
  auto result =
      client->Infer("digits_pte", {{"images", Tensor::Allocate(DataType::kInt8, {1, 8, 8, 1})}});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(result.status())) << result.status();
  EXPECT_NE(result.status().message().find("8388608"), absl::string_view::npos) << result.status();
  EXPECT_NE(result.status().message().find("1048576"), absl::string_view::npos) << result.status();
  EXPECT_EQ(agent.core->uploads_completed(), 0u);
  EXPECT_EQ((*daemon)->Stop(), 0);
  fs::remove_all(root);
}

}  // namespace
}  // namespace inferd::ethosu
