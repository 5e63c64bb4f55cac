#include "engine/model_manager.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/engine/test_backend.h"

namespace inferd {
namespace {
namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::Not;

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

absl::Status WaitForLoad(ModelManager& manager, const std::string& name,
                         std::shared_ptr<const ModelLoadOverride> override) {
  std::promise<absl::Status> outcome;
  manager.LoadAsync(name, std::move(override),
                    [&outcome](absl::Status status) { outcome.set_value(std::move(status)); });
  return outcome.get_future().get();
}

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

  std::unique_ptr<ModelManager> MakeManager(
      ModelControlMode mode, std::vector<std::string> startup = {},
      const std::function<void(ModelManagerOptions&)>& adjust = nullptr) {
    ModelManagerOptions options;
    options.repository = repository_;
    options.mode = mode;
    options.startup_models = std::move(startup);
    if (adjust) adjust(options);
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

TEST_F(ModelManagerTest, AVersionWhoseInstancesCannotRunIsUnavailableWithTheReason) {
  auto manager = MakeManager(ModelControlMode::kNone);
  ASSERT_TRUE(manager->Start().ok());
  ASSERT_TRUE(manager->Find("echo", "").ok());
  {
    std::lock_guard lock(control_->mutex);
    control_->unhealthy_reason = "Vulkan device 0 (test) was lost";
  }
  for (const std::string version : {"", "1"}) {
    auto model = manager->Find("echo", version);
    EXPECT_EQ(model.status().code(), absl::StatusCode::kUnavailable) << version;
    EXPECT_NE(model.status().message().find("Vulkan device 0 (test) was lost"), std::string::npos)
        << model.status();
  }
  const ModelIndexEntry entry = EntryFor(*manager, "echo", 1);
  EXPECT_EQ(entry.state, ModelState::kUnavailable);
  EXPECT_EQ(entry.reason, "Vulkan device 0 (test) was lost");
  EXPECT_TRUE(manager->ReadyVersions("echo").empty());

  {
    std::lock_guard lock(control_->mutex);
    control_->unhealthy_reason.clear();
  }
  EXPECT_TRUE(manager->Find("echo", "").ok());
  EXPECT_EQ(manager->ReadyVersions("echo"), std::vector<int64_t>{1});
}

// A backend learns the batch sizes the scheduler aims for (tosa_vulkan prepares a batch pass for
// each), beside max_batch_size.
TEST_F(ModelManagerTest, TheBackendIsToldTheBatchSizesTheSchedulerAimsFor) {
  std::string config(kEchoConfig);
  config.replace(config.find("max_batch_size: 4"), std::string("max_batch_size: 4").size(),
                 "max_batch_size: 8 dynamic_batching { preferred_batch_size: [ 2, 4 ] }");
  AddModel("batched", config, {1});
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  ASSERT_TRUE(manager->Load("batched").ok());
  std::lock_guard lock(control_->mutex);
  EXPECT_EQ(control_->last_max_batch_size, 8);
  EXPECT_EQ(control_->last_preferred_batch_sizes, (std::vector<int>{2, 4}));
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

TEST_F(ModelManagerTest, PushedFilesLoadFromTheOverlayWithTheSameChecks) {
  const fs::path push_parent = repository_.string() + "_push";
  fs::remove_all(push_parent);
  fs::create_directories(push_parent);
  auto manager = MakeManager(ModelControlMode::kExplicit, {}, [&](ModelManagerOptions& options) {
    options.push_parent = push_parent;
    options.max_model_file_size = 16;
  });
  ASSERT_TRUE(manager->Start().ok());
  const fs::path folder = manager->push_folder();
  ASSERT_EQ(folder.parent_path(), fs::canonical(push_parent));

  auto pushed = std::make_shared<ModelLoadOverride>();
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kEchoConfig, &pushed->config));
  pushed->files = {{"1/model.bin", "pushed weights"}};
  ASSERT_TRUE(WaitForLoad(*manager, "pushed", pushed).ok());
  EXPECT_TRUE(manager->Find("pushed", "1").ok());
  EXPECT_TRUE(fs::is_empty(folder)) << "the files are dropped once the load has read them";
  EXPECT_FALSE(fs::exists(repository_ / "pushed"));

  // The overlay's reader keeps --max-model-file-size.
  pushed->files = {{"1/model.bin", std::string(17, 'w')}};
  const absl::Status big = WaitForLoad(*manager, "big", pushed);
  EXPECT_EQ(big.code(), absl::StatusCode::kFailedPrecondition) << big;
  EXPECT_THAT(big.message(), HasSubstr("limit of 16 bytes"));
  EXPECT_TRUE(fs::is_empty(folder));

  manager.reset();
  EXPECT_FALSE(fs::exists(folder));
  fs::remove_all(push_parent);
}

TEST_F(ModelManagerTest, APushFolderInsideTheRepositoryIsRefusedAtStart) {
  auto manager = MakeManager(ModelControlMode::kExplicit, {}, [&](ModelManagerOptions& options) {
    options.push_parent = repository_ / "echo";
  });
  const absl::Status status = manager->Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("inside the model repository"));
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

// --- Model files the repository must not be able to abuse (issue 8) ---

TEST_F(ModelManagerTest, FifoAsModelFileFailsPromptlyNamingTheFile) {
  fs::remove(repository_ / "echo" / "1" / "model.bin");
  const fs::path fifo = repository_ / "echo" / "1" / "model.bin";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  const absl::Status status = manager->Load("echo");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("model.bin"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("FIFO"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("not a regular file"));
}

TEST_F(ModelManagerTest, FifoAsConfigFailsPromptlyNamingTheFile) {
  fs::remove(repository_ / "echo" / "config.pbtxt");
  const fs::path fifo = repository_ / "echo" / "config.pbtxt";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  const absl::Status status = manager->Load("echo");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("config.pbtxt"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("FIFO"));
}

TEST_F(ModelManagerTest, DevZeroModelFileIsRefused) {
  fs::remove(repository_ / "echo" / "1" / "model.bin");
  fs::create_symlink("/dev/zero", repository_ / "echo" / "1" / "model.bin");
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  const absl::Status status = manager->Load("echo");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(status.message()), HasSubstr("model.bin"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("outside the model repository"));
}

TEST_F(ModelManagerTest, OversizedModelFileIsRefused) {
  std::ofstream(repository_ / "echo" / "1" / "model.bin") << std::string(100, 'w');
  auto manager = MakeManager(ModelControlMode::kExplicit, {}, [](ModelManagerOptions& options) {
    options.max_model_file_size = 64;
  });
  ASSERT_TRUE(manager->Start().ok());
  const absl::Status status = manager->Load("echo");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("limit of 64 bytes"));
}

TEST_F(ModelManagerTest, ModelFileLinkedInsideTheRepositoryLoads) {
  fs::create_directories(repository_ / ".shared");
  std::ofstream(repository_ / ".shared" / "weights.bin") << "weights";
  fs::remove(repository_ / "echo" / "1" / "model.bin");
  fs::create_symlink("../../.shared/weights.bin", repository_ / "echo" / "1" / "model.bin");
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  EXPECT_TRUE(manager->Load("echo").ok());
}

TEST_F(ModelManagerTest, ConfigLinkedOutsideIsRefusedWithoutQuotingIt) {
  const fs::path outside = repository_.string() + "-outside.txt";
  std::ofstream(outside) << "root:x:0:0:DISTINCTIVE-SECRET:/root:/bin/bash\n";
  fs::remove(repository_ / "echo" / "config.pbtxt");
  fs::create_symlink(outside, repository_ / "echo" / "config.pbtxt");
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  const absl::Status status = manager->Load("echo");
  fs::remove(outside);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(status.message()), HasSubstr("config.pbtxt"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("DISTINCTIVE")));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("root")));
}

TEST_F(ModelManagerTest, BadConfigInsideIsReportedWithoutQuotingIt) {
  AddModel("bad", "DISTINCTIVE_FIELD: 1\nmax_batch_size: DISTINCTIVE_VALUE\n", {1});
  auto manager = MakeManager(ModelControlMode::kExplicit);
  ASSERT_TRUE(manager->Start().ok());
  const absl::Status status = manager->Load("bad");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("line 1"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("DISTINCTIVE")));
}

TEST_F(ModelManagerTest, PollerIsNotStalledByAFifoModel) {
  AddModel("fifo", kEchoConfig, {});
  fs::create_directories(repository_ / "fifo" / "1");
  const fs::path fifo = repository_ / "fifo" / "1" / "model.bin";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  auto manager = MakeManager(ModelControlMode::kPoll);
  ASSERT_TRUE(manager->Start().ok());
  EXPECT_TRUE(manager->Find("echo", "").ok());
  EXPECT_THAT(std::string(manager->Find("fifo", "").status().message()), HasSubstr("FIFO"));

  AddModel("later", kEchoConfig, {1});
  ASSERT_TRUE(manager->PollNow().ok());
  EXPECT_TRUE(manager->Find("later", "").ok());
  EXPECT_FALSE(manager->Find("fifo", "").ok());
}

// --- Lifecycle concurrency and shutdown (issue 8) ---

TEST_F(ModelManagerTest, AStuckLoadDoesNotBlockOtherModels) {
  AddModel("stuck", kEchoConfig, {1});
  AddModel("other", kEchoConfig, {1});
  auto manager = MakeManager(ModelControlMode::kExplicit, {"echo"});
  ASSERT_TRUE(manager->Start().ok());
  control_->HoldLoadsOf("stuck");
  std::promise<absl::Status> stuck_outcome;
  manager->LoadAsync("stuck", [&](absl::Status status) { stuck_outcome.set_value(status); });
  control_->WaitForLoadsStarted(2);  // echo at start-up, then stuck

  EXPECT_EQ(EntryFor(*manager, "stuck", 1).state, ModelState::kLoading);
  EXPECT_TRUE(manager->Load("other").ok());
  EXPECT_TRUE(manager->Find("other", "").ok());
  EXPECT_TRUE(manager->Unload("echo").ok());
  EXPECT_TRUE(manager->Unload("other").ok());

  control_->ReleaseLoads();
  EXPECT_TRUE(stuck_outcome.get_future().get().ok());
  EXPECT_TRUE(manager->Find("stuck", "").ok());
}

TEST_F(ModelManagerTest, ShutdownWithAStuckLoadReturnsByItsDeadline) {
  AddModel("stuck", kEchoConfig, {1});
  AddModel("queued", kEchoConfig, {1});
  auto manager = MakeManager(ModelControlMode::kExplicit, {"echo"},
                             [](ModelManagerOptions& options) { options.load_threads = 1; });
  ASSERT_TRUE(manager->Start().ok());
  auto serving = *manager->Find("echo", "");
  control_->HoldLoadsOf("stuck");
  std::promise<absl::Status> stuck_outcome;
  std::promise<absl::Status> queued_outcome;
  manager->LoadAsync("stuck", [&](absl::Status status) { stuck_outcome.set_value(status); });
  control_->WaitForLoadsStarted(2);
  manager->LoadAsync("queued", [&](absl::Status status) { queued_outcome.set_value(status); });

  EXPECT_FALSE(manager->Shutdown(absl::Now() + absl::Milliseconds(100)));
  const absl::Status stuck = stuck_outcome.get_future().get();
  EXPECT_EQ(stuck.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(stuck.message()), HasSubstr("the server is shutting down"));
  const absl::Status queued = queued_outcome.get_future().get();
  EXPECT_EQ(queued.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(queued.message()), HasSubstr("the server is shutting down"));
  // What served was drained; nothing serves after shutdown, and new requests are refused.
  EXPECT_FALSE(manager->Find("echo", "").ok());
  EXPECT_EQ(manager->Load("echo").code(), absl::StatusCode::kUnavailable);

  // When the stuck load returns at last, its model does not start serving.
  control_->ReleaseLoads();
  EXPECT_TRUE(manager->Shutdown(absl::Now() + absl::Seconds(60)));
  EXPECT_FALSE(manager->Find("stuck", "").ok());
}

TEST_F(ModelManagerTest, ConcurrentLoadsUseTheFixedPoolAndABoundedQueue) {
  constexpr int kModels = 20;
  for (int i = 0; i < kModels; ++i) AddModel("m" + std::to_string(i), kEchoConfig, {1});
  auto manager = MakeManager(ModelControlMode::kExplicit, {}, [](ModelManagerOptions& options) {
    options.load_threads = 2;
    options.load_queue_size = 5;
  });
  ASSERT_TRUE(manager->Start().ok());
  EXPECT_EQ(manager->lifecycle_thread_count(), 2);
  const auto threads = [] {
    return std::distance(fs::directory_iterator("/proc/self/task"), fs::directory_iterator());
  };
  const auto threads_before = threads();

  control_->HoldAllLoads();
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<absl::Status> outcomes;
  auto record = [&](absl::Status status) {
    std::lock_guard lock(mutex);
    outcomes.push_back(std::move(status));
    changed.notify_all();
  };
  manager->LoadAsync("m0", record);
  manager->LoadAsync("m1", record);
  control_->WaitForLoadsStarted(2);
  for (int i = 2; i < kModels; ++i) manager->LoadAsync("m" + std::to_string(i), record);
  {
    // Two loading, five queued, the other thirteen refused at once.
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return outcomes.size() >= 13; });
    for (const absl::Status& status : outcomes) {
      EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
    }
  }
  EXPECT_EQ(threads(), threads_before);  // no thread per request

  control_->ReleaseLoads();
  std::unique_lock lock(mutex);
  changed.wait(lock, [&] { return outcomes.size() >= kModels; });
  EXPECT_EQ(std::count_if(outcomes.begin(), outcomes.end(),
                          [](const absl::Status& status) { return status.ok(); }),
            7);
}

}  // namespace
}  // namespace inferd
