// The daemon's ethosu backend and target pool against the firmware's agent core with the 'ethos-u'
// executor on the driver's test double: a Vela model given as a .pte (wrapped by
// tools/executorch_pte.py, as the backend reads ExecuTorch programs) or as a bare bin stream is
// uploaded, run batch item by item, and answered with the config's types and shapes; the NPU
// counters reach the response parameters and the inferd_target_* metrics; a network that does not
// fit and a driver failure come back with the target's explanation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "backends/ethosu/ethosu_backend.h"
#include "backends/ethosu/target_pool.h"
#include "engine/executorch/quantize_per_tensor.h"
#include "prometheus/text_serializer.h"
#include "tests/backends/ethosu/ethosu_test_support.h"
#include "tests/firmware/ethosu_driver_test_double/ethosu_driver_test_double_control.h"
#include "tests/firmware/npu_test_agent.h"
#include "tests/firmware/vela_fixture.h"

namespace inferd::firmware::testing {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kArenaSize = kNpuTestArenaSize;
constexpr uint64_t kCyclesPerJob = 777;

// The double's "NPU": ten outputs, each the input byte at the same index plus the weight.
void AddWeightsToInput(const ethosu_test_double_job* job, void* /*context*/) {
  const auto* weights = reinterpret_cast<const uint8_t*>(job->base_addr[0]);
  auto* scratch = reinterpret_cast<uint8_t*>(job->base_addr[1]);
  for (int i = 0; i < 10; ++i) scratch[64 + i] = static_cast<uint8_t>(scratch[i] + weights[i]);
}

class EthosUBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ethosu_test_double_script script{};
    script.on_finish = AddWeightsToInput;
    script.npu_cycles = kCyclesPerJob;
    ASSERT_TRUE(agent_.Start(script).ok());
    registry_ = std::make_shared<prometheus::Registry>();
    pool_ = std::make_shared<ethosu::TargetPool>(ethosu::TargetPoolOptions{}, registry_);
    ethosu::TargetConfig target;
    target.name = "npu0";
    target.kind = "tcp";
    target.address = "127.0.0.1:" + std::to_string(agent_.port());
    ASSERT_TRUE(pool_->AddTarget(target).ok());
  }

  void TearDown() override {
    pool_.reset();
    agent_.Stop();
  }

  BackendLoadRequest Request(std::vector<uint8_t> model_bytes) const {
    BackendLoadRequest request;
    request.model_name = "npu_digits";
    request.model_bytes = std::make_shared<const std::vector<uint8_t>>(std::move(model_bytes));
    request.max_batch_size = 4;
    request.inputs = {{"images", DataType::kInt8, {8, 8, 1}}};
    request.outputs = {{"scores", DataType::kInt8, {10}}};
    return request;
  }

  std::string Metrics() const {
    return prometheus::TextSerializer().Serialize(registry_->Collect());
  }

  NpuTestAgent agent_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ethosu::TargetPool> pool_;
};

TEST_F(EthosUBackendTest, APteRunsOnTheNpuExecutorWithTheConfigsShapesAndItsCounters) {
  const VelaTestNetwork network = DigitsShapedVelaNetwork();
  const std::vector<uint8_t> pte = ethosu::testing::GeneratePte(network.Build());
  ASSERT_FALSE(pte.empty());
  EXPECT_EQ(pool_->ListTargets()[0].agent, "inferd-agent cpu+ethos-u");
  ethosu::EthosuBackend backend(pool_);
  auto executable = backend.Load(Request(pte));
  ASSERT_TRUE(executable.ok()) << executable.status();

  const Tensor images = ethosu::testing::DigitsImages(3);
  auto result = ethosu::testing::ExecuteAndWait(**executable, images, absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  const Tensor& scores = result->outputs[0];
  EXPECT_EQ(scores.dtype(), DataType::kInt8);
  EXPECT_EQ(scores.shape(), (std::vector<int64_t>{3, 10}));
  const auto pixels = images.values<int8_t>();
  const auto values = scores.values<int8_t>();
  for (int item = 0; item < 3; ++item) {
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(values[item * 10 + i],
                static_cast<int8_t>(pixels[item * 64 + i] + network.weights[i]))
          << "item " << item << " score " << i;
    }
  }
  // Three items, one NPU job each.
  EXPECT_EQ(result->parameters.at("npu_cycles"), std::to_string(3 * kCyclesPerJob));
  EXPECT_THAT(Metrics(), HasSubstr("inferd_target_npu_cycles_total{target=\"npu0\"} 2331"));
}

// The usual ExecuTorch export: float input and output around the delegate. The host quantizes the
// images (scale 0.25, zero point -3), the NPU double adds the weights to the INT8 bytes, the host
// dequantizes the scores (scale 0.5, zero point 4); values beyond the INT8 range saturate.
TEST_F(EthosUBackendTest, APteWithFloatEdgesQuantizesOnTheHostAroundTheNpu) {
  const VelaTestNetwork network = DigitsShapedVelaNetwork();
  const std::vector<uint8_t> pte = ethosu::testing::GeneratePte(
      network.Build(), {"--input", "Float:1,8,8,1@0.25,-3", "--output", "Float:1,10@0.5,4"});
  ASSERT_FALSE(pte.empty());
  ethosu::EthosuBackend backend(pool_);
  BackendLoadRequest request = Request(pte);
  request.inputs[0].dtype = DataType::kFp32;
  request.outputs[0].dtype = DataType::kFp32;
  auto executable = backend.Load(request);
  ASSERT_TRUE(executable.ok()) << executable.status();

  Tensor images = Tensor::Allocate(DataType::kFp32, {2, 8, 8, 1});
  auto pixels = images.mutable_values<float>();
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<float>(i % 64) * 1.375f - 41.0f;
  auto result = ethosu::testing::ExecuteAndWait(**executable, images, absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  const Tensor& scores = result->outputs[0];
  EXPECT_EQ(scores.dtype(), DataType::kFp32);
  EXPECT_EQ(scores.shape(), (std::vector<int64_t>{2, 10}));
  const auto values = scores.values<float>();
  for (int item = 0; item < 2; ++item) {
    for (int i = 0; i < 10; ++i) {
      const int64_t quantized =
          executorch::QuantizeValue(pixels[item * 64 + i], 0.25, -3, -128, 127);
      const auto npu = static_cast<int8_t>(quantized + network.weights[i]);
      EXPECT_EQ(values[item * 10 + i], executorch::DequantizeValue(npu, 0.5, 4))
          << "item " << item << " score " << i;
    }
  }
}

TEST_F(EthosUBackendTest, ThePmuEventsAModelAsksForAreCountedAndReachTheMetrics) {
  ethosu_test_double_script script{};
  script.npu_cycles = kCyclesPerJob;
  script.event_counts[0] = 1000;  // counter 0: NPU_ACTIVE
  script.event_counts[1] = 20;    // counter 1: AXI0_RD_DATA_BEAT_RECEIVED
  ethosu_test_double_reset(&script);
  ethosu::EthosuBackend backend(pool_);
  BackendLoadRequest request = Request(DigitsShapedVelaNetwork().Build());
  request.parameters["pmu_events"] = "5, 40";
  auto executable = backend.Load(request);
  ASSERT_TRUE(executable.ok()) << executable.status();
  auto result = ethosu::testing::ExecuteAndWait(**executable, ethosu::testing::DigitsImages(2),
                                                absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(ethosu_test_double_recorded()->pmu_at_start.event_types[0], 5u);
  EXPECT_EQ(ethosu_test_double_recorded()->pmu_at_start.event_types[1], 40u);
  EXPECT_EQ(result->parameters.at("pmu_event_5"), "2000");  // two items, one job each
  EXPECT_EQ(result->parameters.at("pmu_event_40"), "40");
  const std::string metrics = Metrics();
  EXPECT_THAT(metrics,
              HasSubstr("inferd_target_pmu_events_total{event=\"5\",target=\"npu0\"} 2000"));
  EXPECT_THAT(metrics,
              HasSubstr("inferd_target_pmu_events_total{event=\"40\",target=\"npu0\"} 40"));

  request.parameters["pmu_events"] = "5,6,7,8,9";
  EXPECT_THAT(std::string(backend.Load(request).status().message()), HasSubstr("at most 4 events"));
  request.parameters["pmu_events"] = "active";
  EXPECT_TRUE(absl::IsInvalidArgument(backend.Load(request).status()));
}

TEST_F(EthosUBackendTest, ANetworkThatDoesNotFitTheNpuArenaFailsWithBothSizes) {
  VelaTestNetwork network = DigitsShapedVelaNetwork();
  network.scratch_size = 2 * kArenaSize;  // the host's own check passes: it knows sram/dram only
  ethosu::EthosuBackend backend(pool_);
  auto executable = backend.Load(Request(network.Build()));
  ASSERT_TRUE(executable.ok()) << executable.status();
  auto result = ethosu::testing::ExecuteAndWait(**executable, ethosu::testing::DigitsImages(1),
                                                absl::Seconds(30));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("ethos-u: scratch of 131072 bytes does not fit the 65536-byte NPU arena"));
}

TEST_F(EthosUBackendTest, ADriverFailureComesBackWithTheTargetsExplanation) {
  ethosu_test_double_script failing{};
  failing.wait_result = -1;
  ethosu_test_double_reset(&failing);
  ethosu::EthosuBackend backend(pool_);
  auto executable = backend.Load(Request(DigitsShapedVelaNetwork().Build()));
  ASSERT_TRUE(executable.ok()) << executable.status();
  auto result = ethosu::testing::ExecuteAndWait(**executable, ethosu::testing::DigitsImages(1),
                                                absl::Seconds(30));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("ethosu_wait -1"));
}

}  // namespace
}  // namespace inferd::firmware::testing
