#include "engine/model_manager.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "gtest/gtest.h"
#include "tests/engine/test_backend.h"

namespace inferd {
namespace {
namespace fs = std::filesystem;

constexpr char kEchoConfig[] = R"pb(
  backend: "test"
  max_batch_size: 4 input
  [ {
    name: "x"
    data_type: TYPE_FP32
    dims: [ 2 ]
  }] output
  [ {
    name: "y"
    data_type: TYPE_FP32
    dims: [ 2 ]
  }]
)pb";

class ModelManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = fs::path(::testing::TempDir()) /
                  ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(repository_);
    AddModel("echo", kEchoConfig, {1});
    ASSERT_TRUE(backends_.Register(std::make_unique<testing::TestBackend>(control_)).ok());
  }

  void AddModel(const std::string& name, const std::string& config, std::vector<int> versions) {
    fs::create_directories(repository_ / name);
    std::ofstream(repository_ / name / "config.pbtxt") << config;
    for (int version : versions) {
      fs::create_directories(repository_ / name / std::to_string(version));
      std::ofstream(repository_ / name / std::to_string(version) / "model.bin") << "weights";
    }
  }

  std::unique_ptr<ModelManager> MakeManager(ModelControlMode mode,
                                            std::vector<std::string> startup = {}) {
    ModelManagerOptions options;
    options.repository = repository_;
    options.mode = mode;
    options.startup_models = std::move(startup);
    ModelVersionLoaderOptions loader_options;
    loader_options.default_backend = "test";
    return std::make_unique<ModelManager>(options,
                                          ModelVersionLoader(loader_options, &backends_, nullptr));
  }

  static ModelIndexEntry EntryFor(const ModelManager& manager, const std::string& name,
                                  int64_t version) {
    for (const auto& entry : manager.Index()) {
      if (entry.name == name && entry.version == version) return entry;
    }
    return {};
  }

  fs::path repository_;
  std::shared_ptr<testing::TestBackendControl> control_ =
      std::make_shared<testing::TestBackendControl>();
  BackendRegistry backends_;
};

TEST_F(ModelManagerTest, NoneModeLoadsEverythingAndRefusesExplicitControl) {
  auto manager = MakeManager(ModelControlMode::kNone);
  ASSERT_TRUE(manager->Start().ok());
  auto model = manager->Find("echo", "");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->version(), 1);
  EXPECT_EQ(EntryFor(*manager, "echo", 1).state, ModelState::kReady);
  EXPECT_EQ(manager->Load("echo").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager->Unload("echo").code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ModelManagerTest, ExplicitModeLoadsAndUnloadsOnRequest) {
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  EXPECT_EQ(manager->Find("echo", "").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(manager->Load("echo").ok());
  EXPECT_TRUE(manager->Find("echo", "1").ok());
  ASSERT_TRUE(manager->Unload("echo").ok());
  EXPECT_EQ(manager->Find("echo", "").status().code(), absl::StatusCode::kUnavailable);
  const ModelIndexEntry entry = EntryFor(*manager, "echo", 1);
  EXPECT_EQ(entry.state, ModelState::kUnavailable);
  EXPECT_EQ(entry.reason, "unloaded by request");
}

TEST_F(ModelManagerTest, LoadOfANameOutsideTheRepositoryIsRefused) {
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  EXPECT_EQ(manager->Load("../etc").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(manager->Load("nothere").code(), absl::StatusCode::kNotFound);
}

TEST_F(ModelManagerTest, FailedReloadKeepsThePreviousVersionServing) {
  auto manager = MakeManager(ModelControlMode::kExplicit, {"echo"});
  ASSERT_TRUE(manager->Start().ok());
  auto before = manager->Find("echo", "");
  ASSERT_TRUE(before.ok());
  control_->fail_load_message = "weights are corrupt";
  const absl::Status reload = manager->Load("echo");
  EXPECT_EQ(reload.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(reload.message().find("weights are corrupt"), std::string::npos);
  auto after = manager->Find("echo", "");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->get(), before->get());
  const ModelIndexEntry entry = EntryFor(*manager, "echo", 1);
  EXPECT_EQ(entry.state, ModelState::kReady);
  EXPECT_NE(entry.reason.find("reload failed"), std::string::npos);
}

TEST_F(ModelManagerTest, BadConfigLeavesTheModelUnavailableWithTheReason) {
  AddModel("broken", "max_batch_size: [", {1});
  auto manager = MakeManager(ModelControlMode::kNone);
  ASSERT_TRUE(manager->Start().ok());  // one bad model does not stop the daemon
  EXPECT_TRUE(manager->Find("echo", "").ok());
  auto broken = manager->Find("broken", "");
  EXPECT_FALSE(broken.ok());
  const ModelIndexEntry entry = EntryFor(*manager, "broken", 0);
  EXPECT_EQ(entry.state, ModelState::kUnavailable);
  EXPECT_NE(entry.reason.find("config.pbtxt does not parse"), std::string::npos);
}

TEST_F(ModelManagerTest, VersionPolicies) {
  AddModel("latest2", std::string(kEchoConfig) + "version_policy { latest { num_versions: 2 } }",
           {1, 2, 3});
  AddModel("specific",
           std::string(kEchoConfig) + "version_policy { specific { versions: [1, 3] } }",
           {1, 2, 3});
  AddModel("all", std::string(kEchoConfig) + "version_policy { all {} }", {1, 2});
  auto manager = MakeManager(ModelControlMode::kNone);
  ASSERT_TRUE(manager->Start().ok());
  EXPECT_FALSE(manager->Find("latest2", "1").ok());
  EXPECT_TRUE(manager->Find("latest2", "2").ok());
  EXPECT_EQ((*manager->Find("latest2", ""))->version(), 3);
  EXPECT_TRUE(manager->Find("specific", "1").ok());
  EXPECT_FALSE(manager->Find("specific", "2").ok());
  EXPECT_TRUE(manager->Find("all", "1").ok());
  EXPECT_TRUE(manager->Find("all", "2").ok());
  EXPECT_EQ(manager->Find("all", "x").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ModelManagerTest, UnloadWaitsForInFlightRequests) {
  auto manager = MakeManager(ModelControlMode::kExplicit, {"echo"});
  ASSERT_TRUE(manager->Start().ok());
  auto model = *manager->Find("echo", "");
  control_->CloseGate();
  auto request = std::make_unique<InferenceRequest>();
  request->inputs.push_back(Tensor::Allocate(DataType::kFp32, {1, 2}));
  std::promise<absl::StatusOr<InferenceResponse>> promise;
  auto future = promise.get_future();
  request->on_complete = [&](absl::StatusOr<InferenceResponse> r) {
    promise.set_value(std::move(r));
  };
  ASSERT_TRUE(model->Submit(std::move(request)).ok());
  control_->WaitForBatchesStarted(1);
  std::future<absl::Status> unload =
      std::async(std::launch::async, [&] { return manager->Unload("echo"); });
  control_->OpenGate();
  EXPECT_TRUE(unload.get().ok());
  // The request that was in flight when the unload began completed normally.
  EXPECT_TRUE(future.get().ok());
  EXPECT_FALSE(manager->Find("echo", "").ok());
}

TEST_F(ModelManagerTest, PollModeFollowsTheRepository) {
  auto manager = MakeManager(ModelControlMode::kPoll);
  ASSERT_TRUE(manager->Start().ok());
  EXPECT_TRUE(manager->Find("echo", "").ok());
  EXPECT_EQ(manager->Load("echo").code(), absl::StatusCode::kFailedPrecondition);

  AddModel("late", kEchoConfig, {1});
  ASSERT_TRUE(manager->PollNow().ok());
  EXPECT_TRUE(manager->Find("late", "").ok());

  // A new version folder is picked up by the latest-1 policy; the old version is retired.
  AddModel("late", kEchoConfig, {2});
  ASSERT_TRUE(manager->PollNow().ok());
  EXPECT_EQ((*manager->Find("late", ""))->version(), 2);
  EXPECT_FALSE(manager->Find("late", "1").ok());

  fs::remove_all(repository_ / "late");
  ASSERT_TRUE(manager->PollNow().ok());
  EXPECT_FALSE(manager->Find("late", "").ok());
  EXPECT_TRUE(manager->Find("echo", "").ok());
}

}  // namespace
}  // namespace inferd
