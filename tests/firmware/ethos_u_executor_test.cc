// The 'ethos-u' executor against the ethos-u-core-driver test double: what it hands the driver
// for a Vela bin stream the host's tooling writes and accepts (the driver payload, ExecuTorch's
// three base-address regions, inputs and outputs at their scratch offsets), the size checks
// before the NPU starts, driver errors, PMU counters, and cancellation, directly and through the
// agent.
#include "firmware/executors/ethos_u/ethos_u_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/ethosu/payload/vela_bin_stream.h"
#include "tests/firmware/ethosu_driver_test_double/ethosu_driver_test_double_control.h"
#include "tests/firmware/target_link.h"
#include "tests/firmware/vela_fixture.h"

namespace inferd::firmware::testing {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kArenaSize = 4096;
constexpr uint32_t kFastScratchSize = 512;
constexpr std::chrono::milliseconds kTimeout(5000);
// ethosu_pmu_event_type values (Ethos-U55/U65).
constexpr uint32_t kNpuActive = 5;
constexpr uint32_t kNpuIdle = 2;
constexpr uint32_t kMacActive = 6;
constexpr uint32_t kAxi0ReadBeats = 40;
constexpr uint32_t kCycleCounterBit = 1u << 31;

class NeverStop final : public RunControl {
 public:
  bool ShouldStop() override { return false; }
};

// Says stop at its `stop_at`-th question.
class StopAt final : public RunControl {
 public:
  explicit StopAt(int stop_at) : stop_at_(stop_at) {}
  bool ShouldStop() override { return ++asked_ >= stop_at_; }
  int asked() const { return asked_; }

 private:
  int stop_at_;
  int asked_ = 0;
};

// The "NPU" of the double: output[i] = input[i] + weights[i] for the ten outputs, read and written
// through the base addresses the executor handed over, at the network's scratch offsets.
void AddWeightsToInput(const ethosu_test_double_job* job, void* /*context*/) {
  const auto* weights = reinterpret_cast<const uint8_t*>(job->base_addr[0]);
  auto* scratch = reinterpret_cast<uint8_t*>(job->base_addr[1]);
  for (int i = 0; i < 10; ++i) scratch[64 + i] = static_cast<uint8_t>(scratch[i] + weights[i]);
}

std::vector<uint8_t> Pixels() {
  std::vector<uint8_t> pixels(64);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(3 * i + 1);
  return pixels;
}

class EthosUExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ethosu_test_double_reset(nullptr);
    network_ = DigitsShapedVelaNetwork();
  }

  NpuMemory Memory() {
    NpuMemory memory;
    memory.arena = arena_;
    memory.arena_size = kArenaSize;
    memory.fast_scratch = fast_scratch_;
    memory.fast_scratch_size = kFastScratchSize;
    return memory;
  }

  uint32_t Run(EthosUExecutor& executor, const Aligned16Bytes& bytes,
               std::span<const uint8_t> input, const uint32_t (&events)[INFERD_TP_PMU_MAX],
               RunControl& control) {
    TensorView view;
    std::memset(&view.desc, 0, sizeof view.desc);
    view.desc.size_bytes = static_cast<uint32_t>(input.size());
    view.data = input.data();
    output_count_ = 0;
    counters_ = RunCounters();
    return executor.Run(bytes.data(), bytes.size(), &view, 1, outputs_, INFERD_TP_MAX_TENSORS,
                        &output_count_, events, &counters_, control);
  }

  // Prepare of network_ as it is now, on a fresh executor; `detail` receives its explanation.
  uint32_t PrepareNetwork(std::string* detail) {
    EthosUExecutor executor(Memory());
    const Aligned16Bytes bytes(network_.Build());
    const uint32_t status = executor.Prepare(bytes.data(), bytes.size());
    *detail = executor.failure_detail();
    return status;
  }

  static const ethosu_test_double_record& Record() { return *ethosu_test_double_recorded(); }

  VelaTestNetwork network_;
  alignas(16) uint8_t arena_[kArenaSize] = {};
  alignas(16) uint8_t fast_scratch_[kFastScratchSize] = {};
  TensorView outputs_[INFERD_TP_MAX_TENSORS] = {};
  uint32_t output_count_ = 0;
  RunCounters counters_;
  const uint32_t no_events_[INFERD_TP_PMU_MAX] = {};
};

TEST_F(EthosUExecutorTest, TheHostAndTheTargetAcceptTheSameBinStream) {
  const std::vector<uint8_t> stream = network_.Build();
  absl::StatusOr<ethosu::VelaBinStream> parsed = ethosu::ParseVelaBinStream(stream);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->inputs[0].rank, 6);
  EthosUExecutor executor(Memory());
  const Aligned16Bytes bytes(stream);
  EXPECT_EQ(executor.Prepare(bytes.data(), bytes.size()), INFERD_TP_NET_LOADED)
      << executor.failure_detail();
  EXPECT_STREQ(executor.failure_detail(), "");
}

TEST_F(EthosUExecutorTest, TheDriverGetsExecuTorchsRegionsAndTheDriverPayloadInPlace) {
  const std::vector<uint8_t> stream = network_.Build();
  absl::StatusOr<ethosu::VelaBinStream> parsed = ethosu::ParseVelaBinStream(stream);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Aligned16Bytes bytes(stream);
  const size_t cmd_offset = parsed->cmd_data.data() - stream.data();
  const size_t weights_offset = parsed->weight_data.data() - stream.data();
  EthosUExecutor executor(Memory());
  ASSERT_EQ(executor.Prepare(bytes.data(), bytes.size()), INFERD_TP_NET_LOADED);
  NeverStop never;
  const std::vector<uint8_t> pixels = Pixels();
  ASSERT_EQ(Run(executor, bytes, pixels, no_events_, never), INFERD_TP_INF_OK)
      << executor.failure_detail();

  const ethosu_test_double_job& job = Record().last_job;
  EXPECT_EQ(job.custom_data, bytes.data() + cmd_offset);
  EXPECT_EQ(job.custom_data_size, static_cast<int>(network_.driver_payload.size()));
  EXPECT_EQ(std::memcmp(job.custom_data, "COP1", 4), 0);
  ASSERT_EQ(job.num_base_addr, 3);
  EXPECT_EQ(job.base_addr[0], reinterpret_cast<uintptr_t>(bytes.data() + weights_offset));
  EXPECT_EQ(job.base_addr_size[0], network_.weights.size());
  EXPECT_EQ(job.base_addr[1], reinterpret_cast<uintptr_t>(arena_));
  EXPECT_EQ(job.base_addr_size[1], network_.scratch_size);
  EXPECT_EQ(job.base_addr[2], reinterpret_cast<uintptr_t>(fast_scratch_));
  EXPECT_EQ(job.base_addr_size[2], kFastScratchSize);
  EXPECT_EQ(Record().reserves, 1);
  EXPECT_EQ(Record().releases, 1);
  EXPECT_EQ(Record().reserved_now, 0);
  EXPECT_EQ(Record().released_while_running, 0);
  EXPECT_EQ(Record().pmu_enable_balance, 0);
}

TEST_F(EthosUExecutorTest, InputsGoToTheirScratchOffsetsAndOutputsComeFromTheirs) {
  ethosu_test_double_script script{};
  script.polls_while_running = 2;
  script.on_finish = AddWeightsToInput;
  ethosu_test_double_reset(&script);
  EthosUExecutor executor(Memory());
  const Aligned16Bytes bytes(network_.Build());
  NeverStop never;
  const std::vector<uint8_t> pixels = Pixels();
  ASSERT_EQ(Run(executor, bytes, pixels, no_events_, never), INFERD_TP_INF_OK)
      << executor.failure_detail();
  EXPECT_EQ(std::memcmp(arena_, pixels.data(), pixels.size()), 0);
  ASSERT_EQ(output_count_, 1u);
  EXPECT_EQ(outputs_[0].data, arena_ + 64);
  EXPECT_EQ(outputs_[0].desc.size_bytes, 10u);
  EXPECT_EQ(outputs_[0].desc.dtype, INFERD_TP_DTYPE_INT8);
  ASSERT_EQ(outputs_[0].desc.rank, 6);
  EXPECT_EQ(outputs_[0].desc.dims[5], 10);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(outputs_[0].data[i], static_cast<uint8_t>(pixels[i] + network_.weights[i])) << i;
  }
  EXPECT_EQ(Record().waits, 3);  // two polls while running, one that finds it done
}

TEST_F(EthosUExecutorTest, CountersComeBackForTheRequestedEvents) {
  ethosu_test_double_script script{};
  script.npu_cycles = 123456;
  script.event_counts[0] = 1000;
  script.event_counts[1] = 900;
  script.event_counts[2] = 800;
  script.event_counts[3] = 700;
  ethosu_test_double_reset(&script);
  EthosUExecutor executor(Memory());
  const Aligned16Bytes bytes(network_.Build());
  NeverStop never;
  const uint32_t events[INFERD_TP_PMU_MAX] = {kNpuActive, kMacActive, 0, kAxi0ReadBeats};
  ASSERT_EQ(Run(executor, bytes, Pixels(), events, never), INFERD_TP_INF_OK);

  const ethosu_test_double_pmu& pmu = Record().pmu_at_start;
  EXPECT_TRUE(pmu.enabled);
  EXPECT_EQ(pmu.event_types[0], kNpuActive);
  EXPECT_EQ(pmu.event_types[1], kMacActive);
  EXPECT_EQ(pmu.event_types[2], 0u);
  EXPECT_EQ(pmu.event_types[3], kAxi0ReadBeats);
  EXPECT_EQ(pmu.counter_mask, kCycleCounterBit | 0b1011u);
  EXPECT_EQ(pmu.cycle_start_event, kNpuActive);
  EXPECT_EQ(pmu.cycle_stop_event, kNpuIdle);
  EXPECT_TRUE(pmu.cycle_counter_reset);
  EXPECT_TRUE(pmu.event_counters_reset);

  EXPECT_EQ(counters_.npu_cycles, 123456u);
  const uint32_t expected_events[INFERD_TP_PMU_MAX] = {kNpuActive, kMacActive, 0, kAxi0ReadBeats};
  const uint32_t expected_counts[INFERD_TP_PMU_MAX] = {1000, 900, 0, 700};
  for (uint32_t i = 0; i < INFERD_TP_PMU_MAX; ++i) {
    EXPECT_EQ(counters_.pmu_events[i], expected_events[i]) << i;
    EXPECT_EQ(counters_.pmu_counts[i], expected_counts[i]) << i;
  }
}

TEST_F(EthosUExecutorTest, AnEventTheNpuDoesNotHaveIsRefusedBeforeTheDriverIsTouched) {
  EthosUExecutor executor(Memory());
  const Aligned16Bytes bytes(network_.Build());
  NeverStop never;
  const uint32_t events[INFERD_TP_PMU_MAX] = {kNpuActive, 74, 0, 0};
  EXPECT_EQ(Run(executor, bytes, Pixels(), events, never), INFERD_TP_INF_BAD_INPUT);
  EXPECT_THAT(executor.failure_detail(), HasSubstr("PMU event 74"));
  EXPECT_EQ(Record().reserves, 0);
}

TEST_F(EthosUExecutorTest, ScratchLargerThanTheArenaIsRefusedWithBothSizes) {
  network_.scratch_size = kArenaSize + 16;
  EthosUExecutor executor(Memory());
  const Aligned16Bytes bytes(network_.Build());
  EXPECT_EQ(executor.Prepare(bytes.data(), bytes.size()), INFERD_TP_NET_NO_MEMORY);
  EXPECT_THAT(executor.failure_detail(), HasSubstr("scratch of 4112 bytes"));
  EXPECT_THAT(executor.failure_detail(), HasSubstr("4096-byte NPU arena"));
  // Run checks again (the bytes may have changed place since) and never starts the NPU.
  NeverStop never;
  EXPECT_EQ(Run(executor, bytes, Pixels(), no_events_, never), INFERD_TP_INF_ERROR);
  EXPECT_EQ(Record().reserves, 0);
}

TEST_F(EthosUExecutorTest, TensorsOutsideTheScratchAreRefused) {
  network_.outputs[0].offset = 120;  // 10 bytes from 120 overrun the 128-byte scratch
  std::string detail;
  EXPECT_EQ(PrepareNetwork(&detail), INFERD_TP_NET_BAD_FORMAT);
  EXPECT_THAT(detail, HasSubstr("output 0 (10 bytes at offset 120)"));
}

TEST_F(EthosUExecutorTest, TensorsOutsideTheScratchRegionAreUnsupported) {
  network_.inputs[0].region = 2;
  std::string detail;
  EXPECT_EQ(PrepareNetwork(&detail), INFERD_TP_NET_UNSUPPORTED);
  EXPECT_THAT(detail, HasSubstr("region 2"));
}

TEST_F(EthosUExecutorTest, ACommandStreamLongerThanItsBlockIsRefused) {
  // The command-stream action claims one word more than follows it.
  const uint32_t commands[] = {0xFFFF0008};
  network_.driver_payload = VelaDriverPayload(commands);
  network_.driver_payload[7 * 4 + 2] += 1;  // word 7, the action: its length's low byte
  std::string detail;
  EXPECT_EQ(PrepareNetwork(&detail), INFERD_TP_NET_BAD_FORMAT);
  EXPECT_THAT(detail, HasSubstr("command stream of 2 words"));
}

TEST_F(EthosUExecutorTest, DriverActionsTheDriverDoesNotRunAreUnsupported) {
  const uint32_t commands[] = {0xFFFF0008};
  network_.driver_payload = VelaDriverPayload(commands);
  network_.driver_payload[4 * 4] = 0x04;  // a NOP becomes Vela's DumpSHRAM
  std::string detail;
  EXPECT_EQ(PrepareNetwork(&detail), INFERD_TP_NET_UNSUPPORTED);
  EXPECT_THAT(detail, HasSubstr("driver action 4"));
}

TEST_F(EthosUExecutorTest, TruncatedOrForeignBytesAreRefused) {
  EthosUExecutor executor(Memory());
  const std::vector<uint8_t> stream = network_.Build();
  const Aligned16Bytes truncated(std::span<const uint8_t>(stream.data(), stream.size() - 32));
  EXPECT_EQ(executor.Prepare(truncated.data(), truncated.size()), INFERD_TP_NET_BAD_FORMAT);
  std::vector<uint8_t> no_cop1 = stream;
  const size_t cmd = ethosu::ParseVelaBinStream(stream)->cmd_data.data() - stream.data();
  no_cop1[cmd + 3] = '2';  // "COP2": Ethos-U85's payload, which this driver build does not run
  const Aligned16Bytes foreign(no_cop1);
  EXPECT_EQ(executor.Prepare(foreign.data(), foreign.size()), INFERD_TP_NET_BAD_FORMAT);
  EXPECT_THAT(executor.failure_detail(), HasSubstr("no COP1 driver payload"));
}

TEST_F(EthosUExecutorTest, AnInputOfTheWrongSizeIsRefused) {
  EthosUExecutor executor(Memory());
  const Aligned16Bytes bytes(network_.Build());
  NeverStop never;
  const std::vector<uint8_t> short_input(63, 1);
  EXPECT_EQ(Run(executor, bytes, short_input, no_events_, never), INFERD_TP_INF_BAD_INPUT);
  EXPECT_THAT(executor.failure_detail(), HasSubstr("input 0 has 63 bytes, the network takes 64"));
  EXPECT_EQ(Record().reserves, 0);
}

TEST_F(EthosUExecutorTest, DriverErrorsAreReportedAndTheDriverIsReleased) {
  struct Case {
    int no_driver, invoke_result, wait_result;
    const char* detail;
  };
  const Case cases[] = {
      {1, 0, 0, "no NPU driver to reserve"},
      {0, -1, 0, "ethosu_invoke_async -1"},
      {0, 0, -1, "ethosu_wait -1"},
  };
  for (const Case& c : cases) {
    ethosu_test_double_script script{};
    script.no_driver = c.no_driver;
    script.invoke_result = c.invoke_result;
    script.wait_result = c.wait_result;
    ethosu_test_double_reset(&script);
    EthosUExecutor executor(Memory());
    const Aligned16Bytes bytes(network_.Build());
    NeverStop never;
    EXPECT_EQ(Run(executor, bytes, Pixels(), no_events_, never), INFERD_TP_INF_ERROR) << c.detail;
    EXPECT_THAT(executor.failure_detail(), HasSubstr(c.detail));
    EXPECT_EQ(output_count_, 0u);
    EXPECT_EQ(Record().reserved_now, 0) << c.detail;
    EXPECT_EQ(Record().pmu_enable_balance, 0) << c.detail;
  }
}

TEST_F(EthosUExecutorTest, CancellingStopsWaitingReleasesTheNpuAndTheNextJobRuns) {
  ethosu_test_double_script forever{};
  forever.polls_while_running = ETHOSU_TEST_DOUBLE_RUNS_FOREVER;
  ethosu_test_double_reset(&forever);
  EthosUExecutor executor(Memory());
  const Aligned16Bytes bytes(network_.Build());
  StopAt stop(4);  // no before the NPU starts, twice while it runs, then yes
  EXPECT_EQ(Run(executor, bytes, Pixels(), no_events_, stop), INFERD_TP_INF_CANCELLED);
  EXPECT_EQ(stop.asked(), 4);
  EXPECT_EQ(Record().invokes, 1);
  EXPECT_EQ(Record().released_while_running, 1);
  EXPECT_EQ(Record().reserved_now, 0);
  EXPECT_EQ(Record().pmu_enable_balance, 0);
  EXPECT_EQ(output_count_, 0u);

  ethosu_test_double_script finishes{};
  finishes.on_finish = AddWeightsToInput;
  ethosu_test_double_reset(&finishes);
  NeverStop never;
  EXPECT_EQ(Run(executor, bytes, Pixels(), no_events_, never), INFERD_TP_INF_OK);
  EXPECT_EQ(output_count_, 1u);
}

// Through the agent core, as the host sees it.
class EthosUAgentTest : public EthosUExecutorTest {
 protected:
  void SetUp() override {
    EthosUExecutorTest::SetUp();
    executor_ = std::make_unique<EthosUExecutor>(Memory());
    link_ = std::make_unique<InMemoryAgentLink>(InMemoryAgentLink::Sizes{}, executor_.get());
    session_ = std::make_unique<TargetSession>(*link_, kTimeout);
  }

  std::vector<Input> PixelsInput() const {
    Input input;
    const std::vector<uint8_t> pixels = Pixels();
    input.desc.size_bytes = static_cast<uint32_t>(pixels.size());
    input.desc.dtype = INFERD_TP_DTYPE_INT8;
    input.desc.rank = 4;
    input.desc.dims[0] = 1;
    input.desc.dims[1] = 8;
    input.desc.dims[2] = 8;
    input.desc.dims[3] = 1;
    input.bytes = pixels;
    return {input};
  }

  std::unique_ptr<EthosUExecutor> executor_;
  std::unique_ptr<InMemoryAgentLink> link_;
  std::unique_ptr<TargetSession> session_;
};

TEST_F(EthosUAgentTest, VersionAndCapabilitiesListBothExecutors) {
  inferd_tp_version_req req{INFERD_TP_VERSION_MAJOR, INFERD_TP_VERSION_MINOR, 0};
  std::optional<Frame> version = session_->Call(INFERD_TP_MSG_VERSION_REQ, AsBytes(req));
  ASSERT_TRUE(version.has_value());
  inferd_tp_version_rsp rsp;
  ASSERT_EQ(version->payload.size(), sizeof rsp);
  std::memcpy(&rsp, version->payload.data(), sizeof rsp);
  EXPECT_STREQ(rsp.agent_name, "inferd-agent cpu+ethos-u");
  std::optional<Frame> caps = session_->Call(INFERD_TP_MSG_CAPABILITIES_REQ, {});
  ASSERT_TRUE(caps.has_value());
  inferd_tp_capabilities_rsp capabilities;
  ASSERT_EQ(caps->payload.size(), sizeof capabilities);
  std::memcpy(&capabilities, caps->payload.data(), sizeof capabilities);
  EXPECT_EQ(capabilities.executors, INFERD_TP_EXEC_ETHOSU | INFERD_TP_EXEC_TOSA_CPU);
}

TEST_F(EthosUAgentTest, ANetworkThatDoesNotFitIsRefusedWithTheSizesInTheDetail) {
  network_.scratch_size = 8192;
  const std::vector<uint8_t> stream = network_.Build();
  EXPECT_EQ(
      session_->LoadNetwork(TestNetworkId(stream), stream, INFERD_TP_NETWORK_FORMAT_VELA_BIN, 256),
      INFERD_TP_NET_NO_MEMORY);
  EXPECT_EQ(session_->last_detail(),
            "ethos-u: scratch of 8192 bytes does not fit the 4096-byte NPU arena");
  EXPECT_EQ(link_->agent().cache().count(), 0u);
}

TEST_F(EthosUAgentTest, OutputsAndNpuCountersComeBackInTheResponse) {
  ethosu_test_double_script script{};
  script.on_finish = AddWeightsToInput;
  script.npu_cycles = 4242;
  ethosu_test_double_reset(&script);
  const std::vector<uint8_t> stream = network_.Build();
  const NetworkId id = TestNetworkId(stream);
  ASSERT_EQ(session_->LoadNetwork(id, stream, INFERD_TP_NETWORK_FORMAT_VELA_BIN, 256),
            INFERD_TP_NET_LOADED);
  std::optional<InferenceResult> result = session_->Infer(id, PixelsInput(), 1);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->rsp.status, INFERD_TP_INF_OK);
  EXPECT_EQ(result->rsp.npu_cycles, 4242u);
  ASSERT_EQ(result->outputs.size(), 1u);
  const std::vector<uint8_t> pixels = Pixels();
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(result->outputs[0][i], static_cast<uint8_t>(pixels[i] + network_.weights[i]));
  }
}

TEST_F(EthosUAgentTest, ADriverErrorReachesTheHostAsDetail) {
  ethosu_test_double_script script{};
  script.wait_result = -1;
  ethosu_test_double_reset(&script);
  const std::vector<uint8_t> stream = network_.Build();
  const NetworkId id = TestNetworkId(stream);
  ASSERT_EQ(session_->LoadNetwork(id, stream, INFERD_TP_NETWORK_FORMAT_VELA_BIN, 256),
            INFERD_TP_NET_LOADED);
  std::optional<InferenceResult> result = session_->Infer(id, PixelsInput(), 1);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rsp.status, INFERD_TP_INF_ERROR);
  EXPECT_THAT(session_->last_detail(), HasSubstr("ethosu_wait -1"));
}

TEST_F(EthosUAgentTest, ACancelFromTheHostStopsAJobTheNpuNeverFinishes) {
  ethosu_test_double_script forever{};
  forever.polls_while_running = ETHOSU_TEST_DOUBLE_RUNS_FOREVER;
  ethosu_test_double_reset(&forever);
  const std::vector<uint8_t> stream = network_.Build();
  const NetworkId id = TestNetworkId(stream);
  ASSERT_EQ(session_->LoadNetwork(id, stream, INFERD_TP_NETWORK_FORMAT_VELA_BIN, 256),
            INFERD_TP_NET_LOADED);
  // The host's CANCEL arrives while the NPU runs: the double delivers it at its first poll. The
  // NPU never finishes on its own, so reaching the response at all is half the test.
  const uint32_t job = 700;
  const inferd_tp_cancel_req cancel{job, 0};
  struct Delivery {
    InMemoryAgentLink* link;
    std::vector<uint8_t> frame;
    bool sent = false;
  } delivery{link_.get(), EncodeFrame(INFERD_TP_MSG_CANCEL_REQ, 701, AsBytes(cancel))};
  ethosu_test_double_script forever_until_cancelled = forever;
  forever_until_cancelled.context = &delivery;
  forever_until_cancelled.on_poll = [](void* context) {
    auto* d = static_cast<Delivery*>(context);
    if (!d->sent) d->sent = d->link->Send(d->frame);
  };
  ethosu_test_double_reset(&forever_until_cancelled);
  ASSERT_TRUE(link_->Send(EncodeFrame(INFERD_TP_MSG_INFERENCE_REQ, job,
                                      InferenceRequestPayload(id, PixelsInput(), 1))));
  std::optional<Frame> first = link_->Receive(kTimeout);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->header.type, INFERD_TP_MSG_CANCEL_RSP);
  std::optional<Frame> second = link_->Receive(kTimeout);
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->header.type, INFERD_TP_MSG_INFERENCE_RSP);
  std::optional<InferenceResult> result = ParseInferenceResponse(second->payload);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rsp.status, INFERD_TP_INF_CANCELLED);
  EXPECT_TRUE(delivery.sent);
  EXPECT_EQ(Record().invokes, 1);
  EXPECT_EQ(Record().released_while_running, 1);

  // The agent and the NPU serve the next job.
  ethosu_test_double_reset(nullptr);
  result = session_->Infer(id, PixelsInput(), 1);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rsp.status, INFERD_TP_INF_OK);
}

}  // namespace
}  // namespace inferd::firmware::testing
