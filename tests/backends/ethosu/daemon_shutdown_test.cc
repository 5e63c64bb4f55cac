// SIGTERM under load, through the real daemon: requests run on a host agent target that holds every
// job until the test releases it, so the test decides when work completes (no sleeps). A drain that
// finishes in time must answer every request with its result; one that runs out of
// --exit-timeout-secs must answer what is left with UNAVAILABLE saying that the server is shutting
// down, and exit 1.
#include <gtest/gtest.h>
#include <signal.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/inference_client.h"
#include "grpcpp/grpcpp.h"
#include "inference.grpc.pb.h"
#include "tests/backends/ethosu/ethosu_test_support.h"
#include "tests/integration/daemon_process.h"

namespace inferd::ethosu {
namespace {
namespace fs = std::filesystem;

// Holds inferences at the agent until Open(); counts those that reached it.
class JobGate {
 public:
  void Enter() {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool WaitForEntered(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(60), [&] { return entered_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

struct Fixture {
  fs::path root;
  fs::path repository;
  fs::path targets;
};

// digits_int8 on the ethosu backend, one instance, no batching: one job at a time reaches the
// target and the rest wait in the daemon's queue.
Fixture MakeFixture(const std::string& agent_address) {
  Fixture fixture;
  fixture.root = fs::path(::testing::TempDir()) /
                 absl::StrCat("shutdown_", ::getpid(), "_",
                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(fixture.root);
  fixture.repository = fixture.root / "models";
  fs::create_directories(fixture.repository / "digits_npu" / "1");
  fs::copy_file(fs::path(INFERD_SOURCE_DIR) / "examples/models/digits_int8/1/model.tosa",
                fixture.repository / "digits_npu" / "1" / "model.tosa");
  std::ofstream(fixture.repository / "digits_npu" / "config.pbtxt") << R"(
name: "digits_npu"
backend: "ethosu"
max_batch_size: 16
input [ { name: "images" data_type: TYPE_INT8 dims: [ 8, 8, 1 ] } ]
output [ { name: "scores" data_type: TYPE_INT8 dims: [ 10 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
)";
  fixture.targets = fixture.root / "targets.ini";
  std::ofstream(fixture.targets) << "[target agent0]\nkind = tcp\naddress = " << agent_address
                                 << "\njob_timeout_ms = 120000\n";
  return fixture;
}

struct Outcome {
  grpc::Status status;
  inference::ModelInferResponse response;
};

// Sends `count` requests from their own threads; Join() returns once every one was answered.
class Requests {
 public:
  Requests(const std::string& address, const Tensor& images, int count) {
    channel_ = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    outcomes_.resize(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([this, i, &images] {
        auto request = client::MakeInferRequest("digits_npu", {{"images", images}}, {});
        ASSERT_TRUE(request.ok());
        auto stub = inference::GRPCInferenceService::NewStub(channel_);
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
        Outcome& outcome = outcomes_[static_cast<size_t>(i)];
        outcome.status = stub->ModelInfer(&context, *request, &outcome.response);
      });
    }
  }
  const std::vector<Outcome>& Join() {
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    return outcomes_;
  }
  ~Requests() { Join(); }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::vector<Outcome> outcomes_;
  std::vector<std::thread> threads_;
};

// Waits until the daemon reports `count` requests accepted and not yet answered for digits_npu.
bool WaitForPending(const inferd::testing::DaemonProcess& daemon, int count) {
  const std::regex pending(
      R"(inferd_inference_pending_request_count\{[^}]*model="digits_npu"[^}]*\} (\d+))");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    auto metrics = inferd::testing::HttpGet(daemon.metrics_port(), "/metrics");
    std::smatch match;
    if (metrics.ok() && std::regex_search(*metrics, match, pending) &&
        std::stoi(match[1].str()) >= count) {
      return true;
    }
    std::this_thread::yield();
  }
  return false;
}

// A host agent whose jobs wait at a gate, and the daemon serving digits_npu on it with
// `exit_timeout`.
struct HeldDaemon {
  std::shared_ptr<JobGate> gate = std::make_shared<JobGate>();
  testing::RunningAgent agent;
  Fixture fixture;
  std::unique_ptr<inferd::testing::DaemonProcess> daemon;
  // The daemon stops first; then no job may still wait at the gate, or the agent could not stop.
  ~HeldDaemon() {
    daemon.reset();
    gate->Open();
  }
};

std::unique_ptr<HeldDaemon> StartHeldDaemon(int exit_timeout_secs) {
  auto held = std::make_unique<HeldDaemon>();
  held->agent = testing::StartAgent();
  held->agent.core->set_on_inference_start([gate = held->gate](uint32_t) { gate->Enter(); });
  held->fixture = MakeFixture(held->agent.address());
  auto daemon = inferd::testing::DaemonProcess::Start(
      {"--model-repository=" + held->fixture.repository.string(),
       "--targets-config=" + held->fixture.targets.string(),
       absl::StrCat("--exit-timeout-secs=", exit_timeout_secs)});
  EXPECT_TRUE(daemon.ok()) << daemon.status();
  if (!daemon.ok()) return nullptr;
  held->daemon = *std::move(daemon);
  return held;
}

TEST(DaemonShutdownTest, EveryRequestAcceptedBeforeSigtermGetsItsResult) {
  auto held = StartHeldDaemon(120);
  ASSERT_NE(held, nullptr);
  const auto& gate = held->gate;
  auto& daemon = held->daemon;

  constexpr int kRequests = 6;
  const Tensor images = testing::DigitsImages(3, 11);
  Requests requests(daemon->grpc_address(), images, kRequests);
  ASSERT_TRUE(gate->WaitForEntered(1));  // one job held at the target ...
  ASSERT_TRUE(WaitForPending(*daemon, kRequests)) << daemon->Log();  // ... the rest queued

  daemon->SendSignal(SIGTERM);
  ASSERT_TRUE(daemon->WaitForLog("received SIGTERM", absl::Seconds(60))) << daemon->Log();
  // New work is refused while the accepted work drains.
  {
    auto late = client::MakeInferRequest("digits_npu", {{"images", images}}, {});
    ASSERT_TRUE(late.ok());
    auto stub = inference::GRPCInferenceService::NewStub(
        grpc::CreateChannel(daemon->grpc_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    inference::ModelInferResponse response;
    const grpc::Status status = stub->ModelInfer(&context, *late, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_NE(status.error_message().find("shutting down"), std::string::npos)
        << status.error_message();
  }
  gate->Open();
  for (const Outcome& outcome : requests.Join()) {
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.error_message() << "\n" << daemon->Log();
    ASSERT_EQ(outcome.response.raw_output_contents_size(), 1);
    const std::string& raw = outcome.response.raw_output_contents(0);
    Tensor scores = Tensor::Allocate(DataType::kInt8, {3, 10});
    ASSERT_EQ(raw.size(), scores.bytes().size());
    std::memcpy(scores.mutable_bytes().data(), raw.data(), raw.size());
    EXPECT_TRUE(testing::MatchesCpuReference(scores, images));
  }
  EXPECT_EQ(daemon->WaitForExit(), 0) << daemon->Log();
  EXPECT_EQ(daemon->Log().find("Cancelling all calls"), std::string::npos);
  fs::remove_all(held->fixture.root);
}

TEST(DaemonShutdownTest, RequestsLeftAtTheExitTimeoutAreToldTheServerIsShuttingDown) {
  auto held = StartHeldDaemon(1);
  ASSERT_NE(held, nullptr);
  const auto& gate = held->gate;
  auto& daemon = held->daemon;

  constexpr int kRequests = 4;
  const Tensor images = testing::DigitsImages(1, 5);
  Requests requests(daemon->grpc_address(), images, kRequests);
  ASSERT_TRUE(gate->WaitForEntered(1));
  ASSERT_TRUE(WaitForPending(*daemon, kRequests)) << daemon->Log();

  // The held job never finishes: the drain runs out of its one second.
  daemon->SendSignal(SIGTERM);
  for (const Outcome& outcome : requests.Join()) {
    EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << outcome.status.error_message();
    EXPECT_NE(outcome.status.error_message().find("shutting down"), std::string::npos)
        << outcome.status.error_message();
  }
  EXPECT_EQ(daemon->WaitForExit(), 1) << daemon->Log();
  gate->Open();  // lets the agent's serving thread go
  fs::remove_all(held->fixture.root);
}

}  // namespace
}  // namespace inferd::ethosu
