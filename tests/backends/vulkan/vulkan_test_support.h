// Runs one graph on the CPU backend's executor and on the Vulkan backend's program, for tests that
// require the two to agree byte for byte.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/cpu/graph_executor.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/program_lowering.h"
#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_device.h"
#include "engine/graph/graph_validator.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::vulkan::testing {

// The device the backend picks by default; fails the test (never skips) when there is none, since
// the test command installs lavapipe.
inline std::shared_ptr<VulkanDevice> DefaultDevice() {
  auto device = VulkanContext::OpenDevice(std::nullopt);
  EXPECT_TRUE(device.ok()) << device.status()
                           << " (the test command installs Mesa's lavapipe: mesa-vulkan-drivers)";
  return device.ok() ? *device : nullptr;
}

// The default device opened a second time as though its compute subgroups could have fewer than 8
// invocations (min_subgroup_size 4): shaders then load for themselves what they otherwise hand
// round a subgroup of 8 (common.glsl's kSubgroupsOfEight), so that path runs on lavapipe too. One
// for the whole test binary.
inline std::shared_ptr<VulkanDevice> NarrowSubgroupDevice() {
  static const absl::StatusOr<std::shared_ptr<VulkanDevice>> narrow =
      []() -> absl::StatusOr<std::shared_ptr<VulkanDevice>> {
    auto device = VulkanContext::OpenDevice(std::nullopt);
    if (!device.ok()) return device.status();
    PhysicalDeviceInfo info = (*device)->info();
    info.min_subgroup_size = std::min<uint32_t>(info.min_subgroup_size, 4);
    return VulkanDevice::Create(info);
  }();
  EXPECT_TRUE(narrow.ok()) << narrow.status();
  return narrow.ok() ? *narrow : nullptr;
}

// The default device opened as --vulkan-robust-buffer-access opens it (a second logical device,
// so that the other tests' device stays as the daemon opens it by default), as ModuleKernel (a
// model's own shader) asks.
inline std::shared_ptr<VulkanDevice> ContainingDevice() {
  auto context = VulkanContext::Get();
  EXPECT_TRUE(context.ok()) << context.status();
  if (!context.ok()) return nullptr;
  auto info = (*context)->Choose(std::nullopt);
  EXPECT_TRUE(info.ok()) << info.status();
  if (!info.ok()) return nullptr;
  auto device = VulkanDevice::Create(**info, "", /*robust_buffer_access=*/true);
  EXPECT_TRUE(device.ok()) << device.status();
  return device.ok() ? *device : nullptr;
}

using Buffers = std::vector<std::vector<uint8_t>>;

// `g`, checked by the graph validator as a model load would.
inline std::shared_ptr<const graph::Graph> Validated(graph::Graph g) {
  EXPECT_TRUE(graph::ValidateGraph(g).ok()) << graph::ValidateGraph(g);
  return std::make_shared<const graph::Graph>(std::move(g));
}

// A program for `graph` on the default device taking batches of up to `max_items`; null (with a
// test failure) when it cannot be made.
inline std::unique_ptr<GraphProgram> Program(std::shared_ptr<const graph::Graph> graph,
                                             int max_items = 1) {
  std::shared_ptr<VulkanDevice> device = DefaultDevice();
  if (device == nullptr) return nullptr;
  auto program = GraphProgram::Create(device, std::move(graph), max_items);
  EXPECT_TRUE(program.ok()) << program.status();
  return program.ok() ? *std::move(program) : nullptr;
}

inline std::vector<std::span<const uint8_t>> ConstSpans(const Buffers& buffers) {
  return std::vector<std::span<const uint8_t>>(buffers.begin(), buffers.end());
}

inline std::vector<std::span<uint8_t>> Spans(Buffers& buffers) {
  return std::vector<std::span<uint8_t>>(buffers.begin(), buffers.end());
}

// The main block's outputs computed by the CPU executor.
inline absl::StatusOr<Buffers> RunOnCpu(std::shared_ptr<const graph::Graph> graph,
                                        const Buffers& inputs) {
  auto executor = cpu::GraphExecutor::Create(graph);
  if (!executor.ok()) return executor.status();
  Buffers outputs;
  for (graph::TensorId id : graph->main_block().outputs) {
    outputs.emplace_back((*executor)->StorageBytes(id));
  }
  const auto in = ConstSpans(inputs);
  const auto out = Spans(outputs);
  if (auto status = (*executor)->Run(in, out); !status.ok()) return status;
  return outputs;
}

// The same on the Vulkan device (the default one unless `device` is given).
inline absl::StatusOr<Buffers> RunOnGpu(std::shared_ptr<const graph::Graph> graph,
                                        const Buffers& inputs, GraphProgramOptions options = {},
                                        std::shared_ptr<VulkanDevice> device = nullptr) {
  if (device == nullptr) device = DefaultDevice();
  if (device == nullptr) return absl::UnavailableError("no Vulkan device");
  auto program = GraphProgram::Create(device, graph, 1, options);
  if (!program.ok()) return program.status();
  Buffers outputs;
  for (size_t i = 0; i < graph->main_block().outputs.size(); ++i) {
    outputs.emplace_back((*program)->output_bytes(i));
  }
  const auto in = ConstSpans(inputs);
  const auto out = Spans(outputs);
  if (auto status = (*program)->RunAndWait(in, out); !status.ok()) return status;
  return outputs;
}

template <typename T>
std::vector<T> RandomValues(std::mt19937& rng, size_t count, int64_t low, int64_t high) {
  std::uniform_int_distribution<int64_t> dist(low, high);
  std::vector<T> values(count);
  for (T& v : values) v = static_cast<T>(dist(rng));
  return values;
}

// `count` floats uniformly drawn from [-1, 1).
inline std::vector<float> RandomFloats(std::mt19937& rng, int64_t count) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) v = dist(rng);
  return values;
}

inline size_t Count(const Shape& shape) {
  size_t count = 1;
  for (int64_t d : shape) count *= static_cast<size_t>(d);
  return count;
}

// `count` random elements of `dtype` over its whole range (BOOL: 0 or 1; FP32: finite values of
// either sign, zeros among them), as bytes.
inline std::vector<uint8_t> RandomBytes(std::mt19937& rng, graph::DType dtype, size_t count) {
  using cpu::test_graphs::BytesOf;
  switch (dtype) {
    case graph::DType::kBool:
      return BytesOf(RandomValues<uint8_t>(rng, count, 0, 1));
    case graph::DType::kInt8:
      return BytesOf(RandomValues<int8_t>(rng, count, -128, 127));
    case graph::DType::kInt16:
      return BytesOf(RandomValues<int16_t>(rng, count, -32768, 32767));
    case graph::DType::kInt32:
      return BytesOf(RandomValues<int32_t>(rng, count, INT32_MIN, INT32_MAX));
    default: {
      std::uniform_real_distribution<float> dist(-100.0f, 100.0f);
      std::vector<float> values(count);
      for (size_t i = 0; i < count; ++i) values[i] = i % 7 == 3 ? 0.0f : dist(rng);
      return BytesOf(values);
    }
  }
}

// The output size of a convolution along one axis.
inline int64_t ConvOutSize(int64_t in, int64_t kernel, int32_t pad_before, int32_t pad_after,
                           int32_t stride, int32_t dilation) {
  return (in - 1 + pad_before + pad_after - (kernel - 1) * dilation) / stride + 1;
}

// Runs the graph on both backends; its first output (FP32) must agree element by element within
// `tolerance`, for operators whose sums the two may round in different orders.
inline void ExpectFp32Close(cpu::test_graphs::GraphBuilder& builder, const Buffers& inputs,
                            float tolerance, const std::string& what,
                            GraphProgramOptions options = {}) {
  auto graph = builder.Build();
  auto cpu = RunOnCpu(graph, inputs);
  ASSERT_TRUE(cpu.ok()) << what << ": " << cpu.status();
  auto gpu = RunOnGpu(graph, inputs, options);
  ASSERT_TRUE(gpu.ok()) << what << ": " << gpu.status();
  ASSERT_EQ((*cpu)[0].size(), (*gpu)[0].size()) << what;
  std::vector<float> expected((*cpu)[0].size() / 4), got(expected.size());
  std::memcpy(expected.data(), (*cpu)[0].data(), expected.size() * 4);
  std::memcpy(got.data(), (*gpu)[0].data(), got.size() * 4);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], expected[i], tolerance) << what << ": element " << i;
  }
}

// Runs the graph on both backends; every output must be byte-identical. With `fp32_zero_sign`
// false, FP32 zeros of either sign count as equal (TOSA's compliance rules accept either). The GPU
// runs it five times: as the device runs it, with the exact 32-bit variants of the 64-bit integer
// shaders, without the subgroup-shuffle CONV2D shader, with storage buffers for texel buffers, and
// on NarrowSubgroupDevice().
inline void ExpectSameOnBothBackends(cpu::test_graphs::GraphBuilder& builder, const Buffers& inputs,
                                     const std::string& what, bool fp32_zero_sign = true);

inline void ExpectSameOnBothBackendsWith(cpu::test_graphs::GraphBuilder& builder,
                                         const Buffers& inputs, const std::string& what,
                                         bool fp32_zero_sign, GraphProgramOptions options,
                                         std::shared_ptr<VulkanDevice> device = nullptr) {
  auto graph = builder.Build();
  auto cpu = RunOnCpu(graph, inputs);
  ASSERT_TRUE(cpu.ok()) << what << ": " << cpu.status();
  auto gpu = RunOnGpu(graph, inputs, options, device);
  ASSERT_TRUE(gpu.ok()) << what << ": " << gpu.status();
  if (!fp32_zero_sign) {
    for (Buffers* outputs : {&*cpu, &*gpu}) {
      for (std::vector<uint8_t>& output : *outputs) {
        for (size_t b = 0; b + 4 <= output.size(); b += 4) {
          if (output[b] == 0 && output[b + 1] == 0 && output[b + 2] == 0 && output[b + 3] == 0x80) {
            output[b + 3] = 0;
          }
        }
      }
    }
  }
  ASSERT_EQ(cpu->size(), gpu->size());
  for (size_t i = 0; i < cpu->size(); ++i) {
    ASSERT_EQ((*cpu)[i].size(), (*gpu)[i].size()) << what;
    size_t first_difference = (*cpu)[i].size();
    for (size_t b = 0; b < (*cpu)[i].size(); ++b) {
      if ((*cpu)[i][b] != (*gpu)[i][b]) {
        first_difference = b;
        break;
      }
    }
    if (first_difference == (*cpu)[i].size()) continue;
    // The aligned word around the first difference, in hex, for both backends.
    std::string cpu_word, gpu_word;
    const size_t start = first_difference / 4 * 4;
    for (size_t b = start; b < std::min(start + 4, (*cpu)[i].size()); ++b) {
      constexpr char kHex[] = "0123456789abcdef";
      cpu_word += {kHex[(*cpu)[i][b] >> 4], kHex[(*cpu)[i][b] & 15]};
      gpu_word += {kHex[(*gpu)[i][b] >> 4], kHex[(*gpu)[i][b] & 15]};
    }
    ADD_FAILURE() << what << (options.use_int64 ? "" : " (32-bit shaders)")
                  << (options.subgroup_shuffle ? "" : " (no subgroup shuffle)")
                  << (options.texel_loads ? "" : " (storage buffers)")
                  << (device == nullptr ? "" : " (subgroups of fewer than 8)") << ": output " << i
                  << " differs first at byte " << first_difference << " (bytes from " << start
                  << ": CPU " << cpu_word << ", GPU " << gpu_word << ")";
  }
}

inline void ExpectSameOnBothBackends(cpu::test_graphs::GraphBuilder& builder, const Buffers& inputs,
                                     const std::string& what, bool fp32_zero_sign) {
  // The device's own paths, then each fallback a device may need: 32-bit arithmetic for the 64-bit
  // integer shaders, the plain CONV2D shader for want of subgroup shuffle, storage buffers where a
  // texel buffer would be too long.
  for (const GraphProgramOptions options :
       {GraphProgramOptions{}, GraphProgramOptions{.use_int64 = false},
        GraphProgramOptions{.subgroup_shuffle = false},
        GraphProgramOptions{.texel_loads = false}}) {
    ExpectSameOnBothBackendsWith(builder, inputs, what, fp32_zero_sign, options);
  }
  ExpectSameOnBothBackendsWith(builder, inputs, what, fp32_zero_sign, {}, NarrowSubgroupDevice());
}

// The shaders of the graph's dispatches as the program lowering gives them (fused chains included).
inline std::vector<std::string> ShadersOf(cpu::test_graphs::GraphBuilder& builder,
                                          OpLowering::Options options = {}) {
  auto graph = builder.Build();
  OpLowering lowering(*graph, options);
  absl::StatusOr<LoweredProgram> lowered = LowerProgram(*graph, lowering);
  EXPECT_TRUE(lowered.ok()) << lowered.status();
  std::vector<std::string> shaders;
  if (!lowered.ok()) return shaders;
  for (const Step& step : lowered->steps) {
    if (const auto* dispatch = std::get_if<DispatchStep>(&step))
      shaders.push_back(dispatch->shader);
  }
  return shaders;
}

}  // namespace inferd::vulkan::testing
