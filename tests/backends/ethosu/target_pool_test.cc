// TargetPool and the ethosu backend against host agents on loopback: dispatch by label, retry on
// another target when one dies, health probing, drain and removal, metrics and response counters.
#include "backends/ethosu/target_pool.h"

#include <gtest/gtest.h>

#include <future>
#include <sstream>
#include <thread>

#include "absl/time/clock.h"
#include "backends/ethosu/ethosu_backend.h"
#include "backends/ethosu/target_config.h"
#include "prometheus/text_serializer.h"
#include "tests/backends/ethosu/ethosu_test_support.h"
#ifdef INFERD_HAVE_FIRMWARE_AGENT
#include "backends/ethosu/host_agent/firmware_agent_server.h"
#endif

namespace inferd::ethosu {
namespace {

using testing::StartAgent;

TargetConfig Tcp(const std::string& name, const std::string& address,
                 std::map<std::string, std::string> labels = {}) {
  TargetConfig config;
  config.name = name;
  config.kind = "tcp";
  config.address = address;
  config.labels = std::move(labels);
  config.job_timeout = absl::Seconds(20);
  config.connect_timeout = absl::Seconds(5);
  return config;
}

std::shared_ptr<const TargetNetwork> DigitsNetwork() {
  auto network = std::make_shared<TargetNetwork>();
  NetworkVariant variant;
  variant.bytes = testing::DigitsInt8Bytes();
  variant.id = ComputeNetworkId(*variant.bytes);
  network->variants.push_back(variant);
  network->description = "digits_int8";
  return network;
}

// Submits one digits job and waits for its result; `use_run` submits through TargetPool::Run.
// `done_thread`, when given, receives the thread the completion ran on.
absl::StatusOr<TargetJobResult> RunDigits(TargetPool& pool, const Tensor& images,
                                          std::map<std::string, std::string> selector = {},
                                          std::shared_ptr<CancellationToken> token = nullptr,
                                          bool use_run = false,
                                          std::thread::id* done_thread = nullptr) {
  TargetJob job;
  job.selector = std::move(selector);
  job.network = DigitsNetwork();
  job.num_outputs = 1;
  job.cancellation = std::move(token);
  job.deadline = absl::Now() + absl::Seconds(30);
  WireTensor input;
  input.dtype = INFERD_TP_DTYPE_INT8;
  input.dims = images.shape();
  input.data = images.bytes();
  job.inputs.push_back(std::move(input));
  job.keep_alive = {images};
  std::promise<absl::StatusOr<TargetJobResult>> promise;
  auto future = promise.get_future();
  job.done = [&promise, done_thread](absl::StatusOr<TargetJobResult> result) {
    if (done_thread != nullptr) *done_thread = std::this_thread::get_id();
    promise.set_value(std::move(result));
  };
  if (use_run) {
    pool.Run(std::move(job));
  } else {
    pool.Submit(std::move(job));
  }
  return future.get();
}

std::string MetricsText(const std::shared_ptr<prometheus::Registry>& registry) {
  return prometheus::TextSerializer().Serialize(registry->Collect());
}

TEST(TargetConfigTest, ParsesTargetsAndRejectsMistakes) {
  auto targets = ParseTargetsConfig(R"(
# two targets
[target board0]
kind = tcp
address = 10.0.0.2:5000
labels = npu=ethos-u55-128, board=an547
job_timeout_ms = 1500

[target qemu]
kind = emulator
command = qemu-system-arm -M mps3-an547 -kernel {image} -serial tcp:127.0.0.1:{port},server=on,wait=off
image = fw.elf
)");
  ASSERT_TRUE(targets.ok()) << targets.status();
  ASSERT_EQ(targets->size(), 2u);
  EXPECT_EQ((*targets)[0].labels.at("npu"), "ethos-u55-128");
  EXPECT_EQ((*targets)[0].job_timeout, absl::Milliseconds(1500));
  EXPECT_EQ((*targets)[1].kind, "emulator");
  EXPECT_EQ((*targets)[1].image, "fw.elf");

  EXPECT_FALSE(ParseTargetsConfig("kind = tcp\n").ok());  // no section
  EXPECT_FALSE(ParseTargetsConfig("[target a]\nkind = carrier-pigeon\naddress = x\n").ok());
  EXPECT_FALSE(ParseTargetsConfig("[target a]\nkind = tcp\n").ok());  // no address
  EXPECT_FALSE(
      ParseTargetsConfig("[target a]\nkind=tcp\naddress=h:1\n[target a]\nkind=tcp\naddress=h:2\n")
          .ok());
  auto bad = ParseTargetsConfig("[target a]\nkind = tcp\naddress = h:1\ncolour = blue\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 4"), absl::string_view::npos);
}

TEST(TargetConfigTest, SelectorsMatchSubsetsOfLabels) {
  auto selector = ParseLabels("npu=ethos-u55-128");
  ASSERT_TRUE(selector.ok());
  EXPECT_TRUE(LabelsMatch({{"npu", "ethos-u55-128"}, {"board", "x"}}, *selector));
  EXPECT_FALSE(LabelsMatch({{"npu", "ethos-u65-256"}}, *selector));
  EXPECT_TRUE(LabelsMatch({}, {}));
  EXPECT_FALSE(ParseLabels("npu").ok());
}

TEST(TargetPoolTest, RunsJobsAndLabelsTargetsFromCapabilities) {
  AgentOptions options;
  options.simulated_npu_product = 55;
  options.simulated_npu_macs = 128;
  auto agent = StartAgent(options);
  auto registry = std::make_shared<prometheus::Registry>();
  TargetPool pool({}, registry);
  ASSERT_TRUE(pool.AddTarget(Tcp("a", agent.address(), {{"board", "an547"}})).ok());
  auto list = pool.ListTargets();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].labels.at("npu"), "ethos-u55-128");
  EXPECT_EQ(list[0].labels.at("executor"), "cpu");
  EXPECT_EQ(list[0].labels.at("board"), "an547");
  EXPECT_TRUE(list[0].healthy);

  const Tensor images = testing::DigitsImages(3);
  auto result = RunDigits(pool, images, {{"npu", "ethos-u55-128"}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->target, "a");
  EXPECT_FALSE(result->network_cached);
  EXPECT_GT(result->response.header.npu_cycles, 0u);
  const Tensor expected = testing::CpuReferenceScores(images);
  const auto got = result->response.outputs[0].bytes();
  EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.bytes().begin(), expected.bytes().end()));

  auto second = RunDigits(pool, images, {{"npu", "ethos-u55-128"}});
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->network_cached);
  EXPECT_EQ(second->bytes_uploaded, 0u);

  const std::string metrics = MetricsText(registry);
  EXPECT_NE(metrics.find("inferd_target_jobs_total{target=\"a\"} 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("inferd_target_healthy{target=\"a\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("inferd_target_upload_bytes_total{target=\"a\"} " +
                         std::to_string(testing::DigitsInt8Bytes()->size())),
            std::string::npos)
      << metrics;
}

TEST(TargetPoolTest, AJobNoTargetMatchesFailsAtOnce) {
  auto agent = StartAgent();
  TargetPool pool;
  ASSERT_TRUE(pool.AddTarget(Tcp("a", agent.address())).ok());
  EXPECT_FALSE(pool.HasMatchingTarget({{"npu", "ethos-u55-128"}}));
  auto result = RunDigits(pool, testing::DigitsImages(1), {{"npu", "ethos-u55-128"}});
  ASSERT_TRUE(absl::IsUnavailable(result.status())) << result.status();
  EXPECT_NE(result.status().message().find("npu=ethos-u55-128"), absl::string_view::npos);
}

TEST(TargetPoolTest, AJobOnADeadTargetIsRetriedOnAnother) {
  auto a = StartAgent();
  auto b = StartAgent();
  TargetPool pool;
  ASSERT_TRUE(pool.AddTarget(Tcp("a", a.address())).ok());
  ASSERT_TRUE(pool.AddTarget(Tcp("b", b.address())).ok());
  a.server->Abort();  // the pool still believes 'a' is healthy and tries it first
  auto result = RunDigits(pool, testing::DigitsImages(2));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->target, "b");
  auto list = pool.ListTargets();
  EXPECT_FALSE(list[0].healthy);
  EXPECT_EQ(list[0].failures, 1u);
  EXPECT_FALSE(list[0].last_error.empty());
  EXPECT_TRUE(list[1].healthy);
}

TEST(TargetPoolTest, RunUsesTheCallingThreadAndFailsOverLikeSubmit) {
  auto a = StartAgent();
  auto b = StartAgent();
  TargetPool pool;
  ASSERT_TRUE(pool.AddTarget(Tcp("a", a.address())).ok());
  ASSERT_TRUE(pool.AddTarget(Tcp("b", b.address())).ok());
  std::thread::id done_thread;
  const Tensor images = testing::DigitsImages(2);
  auto result = RunDigits(pool, images, {}, nullptr, /*use_run=*/true, &done_thread);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(done_thread, std::this_thread::get_id());
  EXPECT_EQ(result->target, "a");
  const Tensor expected = testing::CpuReferenceScores(images);
  const auto got = result->response.outputs[0].bytes();
  EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.bytes().begin(), expected.bytes().end()));
  a.server->Abort();  // tried first on this thread, then retried by b's worker
  result = RunDigits(pool, images, {}, nullptr, /*use_run=*/true, &done_thread);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->target, "b");
  EXPECT_NE(done_thread, std::this_thread::get_id());
  EXPECT_FALSE(pool.ListTargets()[0].healthy);
}

TEST(TargetPoolTest, WithNoOtherTargetTheJobFailsNamingTheTarget) {
  auto a = StartAgent();
  TargetPool pool;
  ASSERT_TRUE(pool.AddTarget(Tcp("lonely", a.address())).ok());
  a.server->Abort();
  auto result = RunDigits(pool, testing::DigitsImages(1));
  ASSERT_TRUE(absl::IsUnavailable(result.status())) << result.status();
  EXPECT_NE(result.status().message().find("lonely"), absl::string_view::npos) << result.status();
  // The next job is refused at once: no healthy target.
  auto next = RunDigits(pool, testing::DigitsImages(1));
  EXPECT_TRUE(absl::IsUnavailable(next.status()));
}

TEST(TargetPoolTest, ATargetKilledMidJobFailsOverWithinTheTimeout) {
  AgentOptions slow;
  slow.inference_delay = absl::Hours(1);
  auto a = StartAgent(slow);
  std::promise<void> started;
  a.core->set_on_inference_start([&started](uint32_t) { started.set_value(); });
  auto b = StartAgent();
  TargetPool pool;
  ASSERT_TRUE(pool.AddTarget(Tcp("a", a.address())).ok());
  ASSERT_TRUE(pool.AddTarget(Tcp("b", b.address())).ok());
  const Tensor images = testing::DigitsImages(1);
  auto job = std::async(std::launch::async, [&] { return RunDigits(pool, images); });
  started.get_future().wait();
  a.server->Abort();
  auto result = job.get();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->target, "b");
}

TEST(TargetPoolTest, AnUnhealthyTargetRecoversWhenProbed) {
  auto a = StartAgent();
  const int port = a.server->port();
  TargetPool pool;
  ASSERT_TRUE(pool.AddTarget(Tcp("a", a.address())).ok());
  a.server->Abort();
  EXPECT_FALSE(pool.CheckTarget("a").ok());
  EXPECT_FALSE(pool.ListTargets()[0].healthy);
  auto restarted = StartAgent({}, port);
  EXPECT_TRUE(pool.CheckTarget("a").ok());
  EXPECT_TRUE(pool.ListTargets()[0].healthy);
  auto result = RunDigits(pool, testing::DigitsImages(1));
  EXPECT_TRUE(result.ok()) << result.status();
}

TEST(TargetPoolTest, CancellingAJobSendsCancelToTheTarget) {
  AgentOptions slow;
  slow.inference_delay = absl::Hours(1);
  auto a = StartAgent(slow);
  auto token = std::make_shared<CancellationToken>();
  a.core->set_on_inference_start([token](uint32_t) { token->Cancel(); });
  TargetPool pool;
  ASSERT_TRUE(pool.AddTarget(Tcp("a", a.address())).ok());
  auto result = RunDigits(pool, testing::DigitsImages(1), {}, token);
  EXPECT_TRUE(absl::IsCancelled(result.status())) << result.status();
  // A cancelled job is not the target's fault.
  EXPECT_TRUE(pool.ListTargets()[0].healthy);
  a.core->set_on_inference_start(nullptr);
}

TEST(TargetPoolTest, DrainedAndRemovedTargetsGetNoJobs) {
  auto a = StartAgent();
  auto b = StartAgent();
  auto registry = std::make_shared<prometheus::Registry>();
  TargetPool pool({}, registry);
  ASSERT_TRUE(pool.AddTarget(Tcp("a", a.address())).ok());
  ASSERT_TRUE(pool.AddTarget(Tcp("b", b.address())).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(pool.AddTarget(Tcp("a", a.address()))));
  ASSERT_TRUE(pool.DrainTarget("a").ok());
  EXPECT_TRUE(pool.ListTargets()[0].draining);
  auto result = RunDigits(pool, testing::DigitsImages(1));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->target, "b");
  ASSERT_TRUE(pool.RemoveTarget("b").ok());
  EXPECT_TRUE(absl::IsNotFound(pool.RemoveTarget("b")));
  EXPECT_EQ(pool.ListTargets().size(), 1u);
  EXPECT_EQ(MetricsText(registry).find("target=\"b\""), std::string::npos);
  auto refused = RunDigits(pool, testing::DigitsImages(1));
  EXPECT_TRUE(absl::IsUnavailable(refused.status()));
}

TEST(TargetPoolTest, HoldsAtMostMaxTargets) {
  auto a = StartAgent();
  auto b = StartAgent();
  auto c = StartAgent();
  auto registry = std::make_shared<prometheus::Registry>();
  TargetPoolOptions options;
  options.max_targets = 2;
  TargetPool pool(options, registry);
  ASSERT_TRUE(pool.AddTarget(Tcp("a", a.address())).ok());
  ASSERT_TRUE(pool.AddTarget(Tcp("b", b.address())).ok());
  const absl::Status full = pool.AddTarget(Tcp("c", c.address()));
  EXPECT_TRUE(absl::IsResourceExhausted(full)) << full;
  EXPECT_NE(full.message().find("2 targets"), std::string::npos) << full;
  EXPECT_EQ(pool.ListTargets().size(), 2u);
  EXPECT_EQ(MetricsText(registry).find("target=\"c\""), std::string::npos);
  // Room again once one is removed.
  ASSERT_TRUE(pool.RemoveTarget("b").ok());
  EXPECT_TRUE(pool.AddTarget(Tcp("c", c.address())).ok());
  EXPECT_EQ(pool.ListTargets().size(), 2u);
}

TEST(EthosuBackendTest, ExecutesBatchesAndReportsCounters) {
  AgentOptions options;
  options.simulated_npu_product = 55;
  options.simulated_npu_macs = 128;
  auto agent = StartAgent(options);
  auto pool = std::make_shared<TargetPool>();
  ASSERT_TRUE(pool->AddTarget(Tcp("npu0", agent.address())).ok());
  EthosuBackend backend(pool);
  BackendLoadRequest request = testing::DigitsInt8Request(/*max_batch_size=*/64);
  request.parameters["target_selector"] = "npu=ethos-u55-128";
  auto executable = backend.Load(request);
  ASSERT_TRUE(executable.ok()) << executable.status();

  const Tensor images = testing::DigitsImages(4);
  auto result = testing::ExecuteAndWait(**executable, images);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->outputs.size(), 1u);
  EXPECT_EQ(result->outputs[0].shape(), (Shape{4, 10}));
  EXPECT_TRUE(testing::MatchesCpuReference(result->outputs[0], images));
  EXPECT_EQ(result->parameters.at("target"), "npu0");
  EXPECT_NE(result->parameters.at("npu_cycles"), "0");

  request.parameters["target_selector"] = "npu=ethos-u65-256";
  auto unmatched = backend.Load(request);
  EXPECT_TRUE(absl::IsUnavailable(unmatched.status())) << unmatched.status();
  request.parameters["target_selector"] = "nonsense";
  EXPECT_TRUE(absl::IsInvalidArgument(backend.Load(request).status()));
}

#ifdef INFERD_HAVE_FIRMWARE_AGENT
// The firmware's agent core (the code the Cortex-M55 image runs) takes cpu jobs, not .tosa files:
// the backend offers the .tosa first, is refused with UNSUPPORTED, and sends the lowered job.
TEST(EthosuBackendTest, RunsOnTheFirmwareAgentCoreThroughTheLoweredJob) {
  FirmwareAgentServer firmware;
  ASSERT_TRUE(firmware.Start("127.0.0.1", 0).ok());
  auto pool = std::make_shared<TargetPool>();
  ASSERT_TRUE(pool->AddTarget(Tcp("fw", "127.0.0.1:" + std::to_string(firmware.port()))).ok());
  EXPECT_EQ(pool->ListTargets()[0].agent, "inferd-agent cpu");
  EthosuBackend backend(pool);
  BackendLoadRequest request = testing::DigitsInt8Request(/*max_batch_size=*/64);
  auto executable = backend.Load(request);
  ASSERT_TRUE(executable.ok()) << executable.status();
  for (int round = 0; round < 2; ++round) {
    const Tensor images = testing::DigitsImages(3, 11 + round);
    auto result = testing::ExecuteAndWait(**executable, images, absl::Seconds(30));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(testing::MatchesCpuReference(result->outputs[0], images));
    // The second job finds the lowered network cached on the target.
    EXPECT_EQ(result->parameters.at("network_cached"), round == 0 ? "false" : "true");
  }
}
#endif

}  // namespace
}  // namespace inferd::ethosu
