// The data plane's bounds (issue 8), against the real daemon started with small limits: the
// in-flight request memory budget, idle and silent connections closed, RLIMIT_NOFILE raised,
// client text quoted briefly, duplicate outputs and out-of-range contents refused, Triton's
// `timeout` parameter honoured and requests for unknown models counted in /metrics.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "inference.grpc.pb.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/metric_value.h"

namespace inferd::testing {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kRowBytes = 8 * 8 * 1;  // digits_int8's input row: INT8 [8,8,1]

std::unique_ptr<inference::GRPCInferenceService::Stub> Connect(const DaemonProcess& daemon) {
  return inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(daemon.grpc_address(), grpc::InsecureChannelCredentials()));
}

// A raw-bytes request for `model` with `rows` rows of digits_int8's input.
inference::ModelInferRequest DigitsRequest(const std::string& model, int64_t rows) {
  inference::ModelInferRequest request;
  request.set_model_name(model);
  auto* input = request.add_inputs();
  input->set_name("images");
  input->set_datatype("INT8");
  for (int64_t dim : {rows, int64_t{8}, int64_t{8}, int64_t{1}}) input->add_shape(dim);
  request.add_raw_input_contents(std::string(static_cast<size_t>(rows * kRowBytes), '\1'));
  return request;
}

grpc::Status Infer(inference::GRPCInferenceService::Stub& stub,
                   const inference::ModelInferRequest& request,
                   inference::ModelInferResponse* response = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  inference::ModelInferResponse ignored;
  return stub.ModelInfer(&context, request, response ? response : &ignored);
}

// A repository holding digits_int8 as "digits_int8" and as "held": the same model whose dynamic
// batcher waits `hold_us` for a batch of 64 rows, so that a smaller request stays queued (holding
// its memory) for that long.
std::string MakeRepository(const std::string& name, int64_t hold_us) {
  const fs::path root = fs::path(::testing::TempDir()) / name;
  fs::remove_all(root);
  fs::create_directories(root);
  const fs::path source = fs::path(SourceDir()) / "examples/models/digits_int8";
  fs::copy(source, root / "digits_int8", fs::copy_options::recursive);
  fs::copy(source, root / "held", fs::copy_options::recursive);
  std::ifstream in(source / "config.pbtxt");
  std::stringstream config;
  config << in.rdbuf();
  std::string text =
      std::regex_replace(config.str(), std::regex(R"(name: "digits_int8")"), R"(name: "held")");
  text = std::regex_replace(text, std::regex(R"(preferred_batch_size: \[[^\]]*\])"),
                            "preferred_batch_size: [ 64 ]");
  text = std::regex_replace(text, std::regex(R"(max_queue_delay_microseconds: \d+)"),
                            absl::StrCat("max_queue_delay_microseconds: ", hold_us));
  std::ofstream(root / "held" / "config.pbtxt") << text;
  return root.string();
}

TEST(ResourceLimitsTest, ARequestOverTheMemoryBudgetIsRefusedAndTheDaemonKeepsServing) {
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models",
                                      "--max-inflight-request-bytes=65536"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto stub = Connect(**daemon);

  // 200 KB: larger than the whole budget, and invalid besides; refused before it is decoded.
  auto big = DigitsRequest("digits_int8", 1);
  big.mutable_raw_input_contents(0)->assign(200 * 1024, '\0');
  std::vector<std::thread> clients;
  std::atomic<int> exhausted{0};
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&] {
      auto client = Connect(**daemon);
      grpc::Status status = Infer(*client, big);
      if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
          status.error_message().find("--max-inflight-request-bytes") != std::string::npos) {
        ++exhausted;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(exhausted.load(), 6);

  grpc::Status status = Infer(*stub, DigitsRequest("digits_int8", 4));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST(ResourceLimitsTest, RequestsThatTogetherExceedTheBudgetAreRefusedWhileOthersAreHeld) {
  // Each 40-row request is about 2.6 KB; the budget of 4 KB holds one of them.
  const std::string repository = MakeRepository("inferd_budget_repository", 3'000'000);
  auto daemon = DaemonProcess::Start(
      {"--model-repository=" + repository, "--max-inflight-request-bytes=4096"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto stub = Connect(**daemon);

  // The first request waits in "held"'s batcher for company; its bytes stay reserved meanwhile.
  grpc::Status held_status;
  std::thread held([&] {
    auto client = Connect(**daemon);
    held_status = Infer(*client, DigitsRequest("held", 40));
  });
  // Wait (bounded) until the scheduler has queued it, which is after it reserved its bytes.
  const std::string pending = R"(inferd_inference_pending_request_count{model="held",version="1"})";
  bool queued = false;
  for (int attempt = 0; attempt < 100000 && !queued; ++attempt) {
    auto metrics = HttpGet((*daemon)->metrics_port(), "/metrics");
    queued = metrics.ok() && MetricValue(*metrics, pending) == 1;
  }
  ASSERT_TRUE(queued) << "the held request never queued";
  grpc::Status refused = Infer(*stub, DigitsRequest("digits_int8", 40));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_NE(refused.error_message().find("held by requests in flight"), std::string::npos)
      << refused.error_message();
  held.join();
  EXPECT_TRUE(held_status.ok()) << held_status.error_message();
  // The held request's bytes come back once gRPC is done with its call, which the server learns a
  // moment after the client has read the response: retry (bounded) while they are still held.
  grpc::Status after;
  for (int attempt = 0; attempt < 10000; ++attempt) {
    after = Infer(*stub, DigitsRequest("digits_int8", 40));
    if (after.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) break;
  }
  EXPECT_TRUE(after.ok()) << after.error_message();
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST(ResourceLimitsTest, TheTimeoutParameterExpiresAQueuedRequest) {
  const std::string repository = MakeRepository("inferd_timeout_repository", 2'000'000);
  auto daemon = DaemonProcess::Start({"--model-repository=" + repository});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto stub = Connect(**daemon);
  // "held" keeps a lone request queued for 2 s; its timeout of 1 ms passes long before.
  auto request = DigitsRequest("held", 1);
  (*request.mutable_parameters())["timeout"].set_int64_param(1000);
  grpc::Status status = Infer(*stub, request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();

  auto priority = DigitsRequest("digits_int8", 1);
  (*priority.mutable_parameters())["priority"].set_uint64_param(3);
  status = Infer(*stub, priority);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("single priority level"), std::string::npos);
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST(ResourceLimitsTest, SilentAndIdleConnectionsAreClosedByTheServer) {
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models",
                                      "--grpc-handshake-timeout-ms=300",
                                      "--grpc-max-connection-idle-ms=300"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const int port =
      std::stoi((*daemon)->grpc_address().substr((*daemon)->grpc_address().rfind(':') + 1));

  // A TCP connection that never speaks HTTP/2: the server closes it (recv returns 0). The receive
  // timeout only bounds the wait should it not.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  timeval bound{.tv_sec = 30, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
  char buffer[1024];
  ssize_t received;
  while ((received = recv(fd, buffer, sizeof(buffer), 0)) > 0) {
  }
  EXPECT_EQ(received, 0) << "the silent connection was not closed: " << std::strerror(errno);
  close(fd);

  // A gRPC channel that made a call and then idles: the server sends GOAWAY, the channel leaves
  // READY.
  auto channel = grpc::CreateChannel((*daemon)->grpc_address(), grpc::InsecureChannelCredentials());
  auto stub = inference::GRPCInferenceService::NewStub(channel);
  grpc::ClientContext context;
  inference::ServerLiveResponse live;
  ASSERT_TRUE(stub->ServerLive(&context, inference::ServerLiveRequest(), &live).ok());
  ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(channel->WaitForStateChange(
      GRPC_CHANNEL_READY, std::chrono::system_clock::now() + std::chrono::seconds(30)))
      << "the idle connection was not closed";
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST(ResourceLimitsTest, TheOpenFileLimitIsRaisedToTheHardLimit) {
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_max == RLIM_INFINITY || original.rlim_max < 128) {
    GTEST_SKIP() << "the hard limit here is unlimited or tiny";
  }
  // Start the daemon with a soft limit below the hard one, so that raising it shows.
  rlimit lowered = original;
  lowered.rlim_cur = 100;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models"});
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  std::ifstream limits(absl::StrCat("/proc/", (*daemon)->pid(), "/limits"));
  std::string line;
  uint64_t soft = 0;
  uint64_t hard = 0;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(std::string("Max open files").size()));
    fields >> soft >> hard;
  }
  EXPECT_EQ(hard, original.rlim_max);
  EXPECT_EQ(soft, original.rlim_max);
  EXPECT_NE(
      (*daemon)->Log().find(absl::StrCat("RLIMIT_NOFILE): ", original.rlim_max, " (was 100)")),
      std::string::npos)
      << (*daemon)->Log();
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST(ResourceLimitsTest, ClientTextIsQuotedBrieflyAndBadRequestsAreRefusedAndCounted) {
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto stub = Connect(**daemon);

  // A 1 MB model name: refused before the lookup, quoted to 64 bytes.
  grpc::Status status = Infer(*stub, DigitsRequest(std::string(1 << 20, 'm'), 1));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(status.error_message().size(), 300u);
  EXPECT_NE(status.error_message().find("(1048576 bytes)"), std::string::npos)
      << status.error_message();
  grpc::ClientContext metadata_context;
  inference::ModelMetadataRequest metadata_request;
  metadata_request.set_name(std::string(1 << 20, 'm'));
  inference::ModelMetadataResponse metadata;
  status = stub->ModelMetadata(&metadata_context, metadata_request, &metadata);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(status.error_message().size(), 300u);
  // Load and unload requests too (refused before the mode is even considered).
  grpc::ClientContext load_context;
  inference::RepositoryModelLoadRequest load_request;
  load_request.set_model_name(std::string(1 << 20, 'm'));
  inference::RepositoryModelLoadResponse load_response;
  status = stub->RepositoryModelLoad(&load_context, load_request, &load_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(status.error_message().size(), 300u) << status.error_message().substr(0, 300);
  grpc::ClientContext unload_context;
  inference::RepositoryModelUnloadRequest unload_request;
  unload_request.set_model_name(std::string(1 << 20, 'm'));
  inference::RepositoryModelUnloadResponse unload_response;
  status = stub->RepositoryModelUnload(&unload_context, unload_request, &unload_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(status.error_message().size(), 300u) << status.error_message().substr(0, 300);

  // A 200-byte unknown name reaches the engine; its NOT_FOUND message is quoted briefly too.
  for (int i = 0; i < 3; ++i) {
    status = Infer(*stub, DigitsRequest(std::string(200, 'u'), 1));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_NE(status.error_message().find("…' (200 bytes)"), std::string::npos)
        << status.error_message();
  }

  // Duplicate outputs and out-of-range typed contents.
  auto duplicates = DigitsRequest("digits_int8", 1);
  for (int i = 0; i < 1000; ++i) duplicates.add_outputs()->set_name("scores");
  status = Infer(*stub, duplicates);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("requested twice"), std::string::npos);

  auto typed = DigitsRequest("digits_int8", 1);
  typed.clear_raw_input_contents();
  for (int i = 0; i < kRowBytes; ++i) {
    typed.mutable_inputs(0)->mutable_contents()->add_int_contents(i == 5 ? 300 : 1);
  }
  status = Infer(*stub, typed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("contents value 300 at index 5 is outside INT8's range"),
            std::string::npos)
      << status.error_message();

  auto metrics = HttpGet((*daemon)->metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(
      MetricValue(*metrics,
                  R"(inferd_inference_request_failure_unrouted_total{reason="unknown_model"})"),
      3);
  EXPECT_EQ(
      MetricValue(*metrics,
                  R"(inferd_inference_request_failure_unrouted_total{reason="invalid_name"})"),
      1);
  EXPECT_EQ((*daemon)->Stop(), 0);
}

}  // namespace
}  // namespace inferd::testing
