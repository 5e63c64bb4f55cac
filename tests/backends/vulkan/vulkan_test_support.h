// Runs one graph on the CPU backend's executor and on the Vulkan backend's program, for tests that
// require the two to agree byte for byte.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/cpu/graph_executor.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_device.h"
#include "gtest/gtest.h"

namespace inferd::vulkan::testing {

// The device the backend picks by default; fails the test (never skips) when there is none, since
// the test command installs lavapipe.
inline std::shared_ptr<VulkanDevice> DefaultDevice() {
  auto context = VulkanContext::Get();
  EXPECT_TRUE(context.ok()) << context.status()
                            << " (the test command installs Mesa's lavapipe: mesa-vulkan-drivers)";
  if (!context.ok()) return nullptr;
  auto info = (*context)->Choose(std::nullopt);
  EXPECT_TRUE(info.ok()) << info.status();
  if (!info.ok()) return nullptr;
  auto device = (*context)->Open(**info);
  EXPECT_TRUE(device.ok()) << device.status();
  return device.ok() ? *device : nullptr;
}

using Buffers = std::vector<std::vector<uint8_t>>;

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

// The same on the Vulkan device.
inline absl::StatusOr<Buffers> RunOnGpu(std::shared_ptr<const graph::Graph> graph,
                                        const Buffers& inputs) {
  std::shared_ptr<VulkanDevice> device = DefaultDevice();
  if (device == nullptr) return absl::UnavailableError("no Vulkan device");
  auto program = GraphProgram::Create(device, graph, 1);
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

}  // namespace inferd::vulkan::testing
