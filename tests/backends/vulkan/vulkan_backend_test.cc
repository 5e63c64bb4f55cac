// The tosa_vulkan backend through the Backend seam: the bundled digits_int8 model gives the CPU
// backend's scores byte for byte, batches included; what the GPU cannot run fails the load with a
// message naming it.
#include "backends/vulkan/vulkan_backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <map>
#include <random>
#include <string>

#include "backends/cpu/cpu_backend.h"
#include "backends/vulkan/vulkan_metrics.h"
#include "engine/graph/tosa_reader.h"
#include "tests/backends/cpu/graph_builder.h"
#include "tests/backends/vulkan/digits_request.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::GraphBuilder;
using graph::DType;

using testing::DigitsRequest;

absl::StatusOr<BatchResult> RunBatch(Executable& executable, const Tensor& images, int64_t items) {
  Batch batch;
  batch.inputs.push_back(images);
  batch.batch_size = items;
  batch.cancellation = std::make_shared<CancellationToken>();
  std::promise<absl::StatusOr<BatchResult>> promise;
  auto future = promise.get_future();
  executable.Execute(std::move(batch), [&promise](absl::StatusOr<BatchResult> result) {
    promise.set_value(std::move(result));
  });
  return future.get();
}

TEST(VulkanBackendTest, DigitsInt8ScoresEqualTheCpuBackendsForABatch) {
  ASSERT_NE(testing::DefaultDevice(), nullptr);
  constexpr int64_t kItems = 37;  // not a power of two, below max_batch_size
  Tensor images = Tensor::Allocate(DataType::kInt8, {kItems, 8, 8, 1});
  std::mt19937 rng(23);
  std::uniform_int_distribution<int> pixel(-128, 127);
  for (uint8_t& byte : images.mutable_bytes()) byte = static_cast<uint8_t>(pixel(rng));

  VulkanBackend vulkan;
  cpu::CpuBackend cpu;
  auto on_gpu = vulkan.Load(DigitsRequest(64));
  ASSERT_TRUE(on_gpu.ok()) << on_gpu.status();
  auto on_cpu = cpu.Load(DigitsRequest(64));
  ASSERT_TRUE(on_cpu.ok()) << on_cpu.status();
  // Twice, so the second batch replays the recorded command buffers.
  for (int round = 0; round < 2; ++round) {
    auto gpu_result = RunBatch(**on_gpu, images, kItems);
    ASSERT_TRUE(gpu_result.ok()) << gpu_result.status();
    auto cpu_result = RunBatch(**on_cpu, images, kItems);
    ASSERT_TRUE(cpu_result.ok()) << cpu_result.status();
    ASSERT_EQ(gpu_result->outputs.size(), 1u);
    EXPECT_EQ(gpu_result->outputs[0].shape(), (Shape{kItems, 10}));
    const auto gpu_bytes = gpu_result->outputs[0].bytes();
    const auto cpu_bytes = cpu_result->outputs[0].bytes();
    ASSERT_EQ(gpu_bytes.size(), cpu_bytes.size());
    EXPECT_EQ(std::memcmp(gpu_bytes.data(), cpu_bytes.data(), gpu_bytes.size()), 0)
        << "round " << round;
  }
}

// A batch of max_batch_size items, or of a preferred batch size, runs as one pass over the graph
// widened to the batch (engine/graph/batched_graph.h): the same scores as the CPU backend's, and
// the profile shows the pass's operators with the batch in their shapes. Other sizes run as the
// passes that fit and the items left item by item; with gpu_batch_pass "false" every batch runs
// item by item.
TEST(VulkanBackendTest, AFullBatchRunsAsOnePassOverTheWidenedGraph) {
  ASSERT_NE(testing::DefaultDevice(), nullptr);
  constexpr int64_t kItems = 16;
  Tensor images = Tensor::Allocate(DataType::kInt8, {kItems, 8, 8, 1});
  std::mt19937 rng(29);
  std::uniform_int_distribution<int> pixel(-128, 127);
  for (uint8_t& byte : images.mutable_bytes()) byte = static_cast<uint8_t>(pixel(rng));
  cpu::CpuBackend cpu;
  auto on_cpu = cpu.Load(DigitsRequest(kItems));
  ASSERT_TRUE(on_cpu.ok()) << on_cpu.status();
  auto expected = RunBatch(**on_cpu, images, kItems);
  ASSERT_TRUE(expected.ok()) << expected.status();
  const auto expected_bytes = expected->outputs[0].bytes();

  VulkanBackend vulkan;
  for (const std::string pass : {"true", "false"}) {
    BackendLoadRequest request = DigitsRequest(kItems);
    request.parameters[std::string(VulkanBackend::kOperatorTimingParameter)] = "true";
    request.parameters[std::string(VulkanBackend::kBatchPassParameter)] = pass;
    auto on_gpu = vulkan.Load(request);
    ASSERT_TRUE(on_gpu.ok()) << on_gpu.status();
    for (int round = 0; round < 2; ++round) {
      auto result = RunBatch(**on_gpu, images, kItems);
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->outputs[0].shape(), (Shape{kItems, 10}));
      const auto bytes = result->outputs[0].bytes();
      ASSERT_EQ(bytes.size(), expected_bytes.size());
      EXPECT_EQ(std::memcmp(bytes.data(), expected_bytes.data(), bytes.size()), 0)
          << "gpu_batch_pass " << pass << ", round " << round;
    }
    size_t pass_entries = 0, item_entries = 0;
    for (const OperatorTiming& timing : (*on_gpu)->OperatorProfile()) {
      if (timing.block == "main (batch pass of 16)") {
        ++pass_entries;
        EXPECT_EQ(timing.calls, 2u) << timing.op;
        // The batch in front, or as the rows of the MATMUL (and the RESHAPE into it).
        EXPECT_TRUE(timing.shape.starts_with("16x") || timing.shape.starts_with("1x16x"))
            << timing.op << " " << timing.shape;
      } else if (timing.calls > 0) {
        ++item_entries;
      }
    }
    if (pass == "true") {
      EXPECT_GT(pass_entries, 0u);
      EXPECT_EQ(item_entries, 0u);
    } else {
      EXPECT_EQ(pass_entries, 0u);
      EXPECT_GT(item_entries, 0u);
    }
  }
  // Passes are for max_batch_size (16), the preferred sizes (12) and the powers of two below 16
  // (2, 4, 8); a batch of another size runs as the passes that fit it and the items left alone
  // (batch_plan.h): 3 as a pass of 2 and an item, 7 as passes of 4 and 2 and an item, 14 as
  // passes of 12 and 2. Each with the scores of its items alone.
  BackendLoadRequest preferred = DigitsRequest(kItems);
  preferred.parameters[std::string(VulkanBackend::kOperatorTimingParameter)] = "true";
  preferred.preferred_batch_sizes = {12};
  auto on_gpu = vulkan.Load(preferred);
  ASSERT_TRUE(on_gpu.ok()) << on_gpu.status();
  for (const int64_t items : {3, 7, 14}) {
    Tensor some = Tensor::Allocate(DataType::kInt8, {items, 8, 8, 1});
    std::memcpy(some.mutable_bytes().data(), images.bytes().data(), some.byte_size());
    auto result = RunBatch(**on_gpu, some, items);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->outputs[0].shape(), (Shape{items, 10}));
    EXPECT_EQ(std::memcmp(result->outputs[0].bytes().data(), expected_bytes.data(), items * 10), 0)
        << items;
  }
  std::map<std::string, uint64_t> calls;  // by block, of the first operator entry seen
  for (const OperatorTiming& timing : (*on_gpu)->OperatorProfile()) {
    if (timing.calls > 0) calls.emplace(timing.block, timing.calls);
  }
  EXPECT_EQ(calls, (std::map<std::string, uint64_t>{{"main", 2},
                                                    {"main (batch pass of 2)", 3},
                                                    {"main (batch pass of 4)", 1},
                                                    {"main (batch pass of 12)", 1}}));

  BackendLoadRequest wrong = DigitsRequest(kItems);
  wrong.parameters[std::string(VulkanBackend::kBatchPassParameter)] = "maybe";
  EXPECT_EQ(vulkan.Load(wrong).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(VulkanBackendTest, OperatorProfileHasGpuTimeForEveryOperatorOfEveryItem) {
  std::shared_ptr<VulkanDevice> device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(device->has_timestamps()) << "lavapipe writes timestamps on its compute queue";
  VulkanBackend vulkan;
  // Whole items only by default: no operator entries.
  auto untimed = vulkan.Load(DigitsRequest(8));
  ASSERT_TRUE(untimed.ok()) << untimed.status();
  ASSERT_TRUE(RunBatch(**untimed, Tensor::Allocate(DataType::kInt8, {2, 8, 8, 1}), 2).ok());
  EXPECT_TRUE((*untimed)->OperatorProfile().empty());
  BackendLoadRequest wrong = DigitsRequest(8);
  wrong.parameters[std::string(VulkanBackend::kOperatorTimingParameter)] = "yes";
  EXPECT_EQ(vulkan.Load(wrong).status().code(), absl::StatusCode::kInvalidArgument);

  // Item by item, so that every item's operators count in the main block.
  BackendLoadRequest request = DigitsRequest(8);
  request.parameters[std::string(VulkanBackend::kOperatorTimingParameter)] = "true";
  request.parameters[std::string(VulkanBackend::kBatchPassParameter)] = "false";
  auto executable = vulkan.Load(request);
  ASSERT_TRUE(executable.ok()) << executable.status();
  for (const OperatorTiming& timing : (*executable)->OperatorProfile()) {
    EXPECT_EQ(timing.calls, 0u) << "before any batch: " << timing.op;
  }
  const uint64_t busy_before = device->busy_ns();
  Tensor images = Tensor::Allocate(DataType::kInt8, {5, 8, 8, 1});
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(RunBatch(**executable, images, 5).ok());
  }
  const std::vector<OperatorTiming> profile = (*executable)->OperatorProfile();
  // Every operator of the graph that does GPU work (all but the CONSTs), in order, run ten times;
  // each CONV2D -> RESCALE -> CLAMP chain of the model runs as one dispatch (epilogue_fusion.h),
  // an entry named after all three that shows the CLAMP's output, as the CPU backend's profile
  // names its fused steps.
  const auto graph = graph::LoadTosaFile(DigitsRequest(8).model_path.string());
  ASSERT_TRUE(graph.ok());
  std::vector<std::string> expected_ops;
  for (const graph::Operator& op : (*graph)->main_block().operators) {
    if (op.op == graph::Op::kConst || op.op == graph::Op::kConstShape) continue;
    const std::string name(graph::OpName(op.op));
    if ((op.op == graph::Op::kRescale && !expected_ops.empty() &&
         expected_ops.back() == "CONV2D") ||
        (op.op == graph::Op::kClamp && !expected_ops.empty() &&
         expected_ops.back() == "CONV2D+RESCALE")) {
      expected_ops.back() += "+" + name;
    } else {
      expected_ops.push_back(name);
    }
  }
  ASSERT_EQ(profile.size(), expected_ops.size());
  ASSERT_EQ(expected_ops[0], "CONV2D+RESCALE+CLAMP");
  EXPECT_EQ(profile[0].output, "relu1");
  EXPECT_EQ(profile[0].shape, "1x8x8x8");
  uint64_t total_ns = 0;
  for (size_t i = 0; i < profile.size(); ++i) {
    EXPECT_EQ(profile[i].op, expected_ops[i]);
    EXPECT_EQ(profile[i].block, "main");
    EXPECT_EQ(profile[i].calls, 10u) << profile[i].op;
    total_ns += profile[i].total_ns;
  }
  EXPECT_GT(total_ns, 0u);
  EXPECT_GT(device->busy_ns(), busy_before);
}

TEST(VulkanBackendTest, AnInputOfTheWrongSizeFailsTheBatchNamingIt) {
  VulkanBackend vulkan;
  auto executable = vulkan.Load(DigitsRequest(4));
  ASSERT_TRUE(executable.ok()) << executable.status();
  Tensor short_images = Tensor::Allocate(DataType::kInt8, {2, 8, 8, 1});
  auto result = RunBatch(**executable, short_images, 3);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("input 'images'"), std::string::npos) << result.status();
}

TEST(VulkanBackendTest, AnOperatorWithoutAShaderFailsTheLoadNamingIt) {
  GraphBuilder b;
  // A CUSTOM operator no implementation on the GPU knows.
  const auto x = b.Input("x", DType::kInt8, {1, 4});
  const auto y = b.Tensor("customized", DType::kInt8, {1, 4});
  b.Add(graph::Op::kCustom, graph::CustomAttr{"no_such_operator", "test.inferd", {}}, {x}, {y});
  b.Output(y);
  BackendLoadRequest request;
  request.model_name = "custom";
  request.graph = b.Build();
  request.inputs = {TensorSpec{"x", DataType::kInt8, {1, 4}}};
  request.outputs = {TensorSpec{"customized", DataType::kInt8, {1, 4}}};
  VulkanBackend vulkan;
  auto executable = vulkan.Load(request);
  ASSERT_FALSE(executable.ok());
  EXPECT_EQ(executable.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(executable.status().message().find("CUSTOM"), std::string::npos) << executable.status();
  EXPECT_NE(executable.status().message().find("customized"), std::string::npos)
      << executable.status();
}

TEST(VulkanBackendTest, AnInstanceGroupNamingAnAbsentDeviceFailsTheLoad) {
  BackendLoadRequest request = DigitsRequest(0);
  request.inputs = {TensorSpec{"images", DataType::kInt8, {1, 8, 8, 1}}};
  request.outputs = {TensorSpec{"scores", DataType::kInt8, {1, 10}}};
  request.device_index = 4096;
  VulkanBackend vulkan;
  auto executable = vulkan.Load(request);
  ASSERT_FALSE(executable.ok());
  EXPECT_EQ(executable.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(executable.status().message().find("device 4096"), std::string::npos)
      << executable.status();
}

TEST(VulkanBackendTest, EveryVisibleDeviceIsDescribed) {
  auto context = VulkanContext::Get();
  ASSERT_TRUE(context.ok()) << context.status();
  const std::vector<std::string> lines = (*context)->Describe();
  ASSERT_EQ(lines.size(), (*context)->devices().size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_NE(lines[i].find((*context)->devices()[i].name), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find("MiB device-local"), std::string::npos) << lines[i];
    // How the convolutions get their weights there, from the device's subgroup properties.
    const PhysicalDeviceInfo& info = (*context)->devices()[i];
    if (info.missing.empty()) {
      EXPECT_NE(
          lines[i].find(info.subgroup_shuffle
                            ? absl::StrCat("subgroups of ", info.min_subgroup_size, " or more")
                            : std::string("no subgroup shuffle")),
          std::string::npos)
          << lines[i];
    }
  }
}

// The gauge of `family` for device `index`, from what a scrape would collect; -1 when absent.
double DeviceGauge(const std::string& family, uint32_t index) {
  for (const prometheus::MetricFamily& collected : VulkanMetrics().Collect()) {
    if (collected.name != family) continue;
    for (const prometheus::ClientMetric& metric : collected.metric) {
      const bool is_device =
          std::any_of(metric.label.begin(), metric.label.end(),
                      [index](const prometheus::ClientMetric::Label& l) {
                        return l.name == "device" && l.value == std::to_string(index);
                      });
      if (is_device) return metric.gauge.value;
    }
  }
  return -1;
}

// VK_ERROR_DEVICE_LOST cannot be provoked on lavapipe, so the test marks the device lost the way
// the submit path does. A loss lasts for the process, so the scenario runs in a child process of
// its own (a death test, which gtest also runs before the other tests): running the whole binary
// at once must not leave the other tests a lost device.
void LostDeviceScenario() {
  std::shared_ptr<VulkanDevice> device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  VulkanBackend vulkan;
  auto executable = vulkan.Load(DigitsRequest(4));
  ASSERT_TRUE(executable.ok()) << executable.status();
  const uint32_t index = device->info().index;
  EXPECT_EQ(DeviceGauge("inferd_gpu_device_lost", index), 0.0);
  EXPECT_GT(DeviceGauge("inferd_gpu_memory_used_bytes", index), 0.0);

  EXPECT_TRUE((*executable)->Health().ok());
  device->MarkLost("Vulkan device lost in a test");
  device->MarkLost("a second reason, which does not replace the first");
  // The model is reported UNAVAILABLE with the reason (Executable::Health).
  EXPECT_EQ((*executable)->Health().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*executable)->Health().message(), "Vulkan device lost in a test");
  EXPECT_EQ(DeviceGauge("inferd_gpu_device_lost", index), 1.0);
  auto result = RunBatch(**executable, Tensor::Allocate(DataType::kInt8, {2, 8, 8, 1}), 2);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("Vulkan device lost in a test"), std::string::npos)
      << result.status();
  auto context = VulkanContext::Get();
  ASSERT_TRUE(context.ok()) << context.status();
  bool listed = false;
  for (const DeviceStatus& status : (*context)->Status()) {
    if (status.index != index) continue;
    listed = true;
    EXPECT_EQ(status.unusable_reason, "Vulkan device lost in a test");
  }
  EXPECT_TRUE(listed);
}

TEST(VulkanBackendDeathTest, ALostDeviceFailsItsModelsAndShowsInMetricsAndDeviceStatus) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        LostDeviceScenario();
        _exit(::testing::Test::HasFailure() ? 1 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace inferd::vulkan
