// MobileNetV2-shaped graphs (tools/build_mobilenet.py, 1x224x224x3) on the tosa_vulkan backend's
// default device against the CPU backend's executor on one thread, interleaved in one process.
// Checks first that the INT8 outputs are byte-identical, then prints medians and the ratio. On
// lavapipe both run on the same cores, so the ratio measures the shaders against the CPU kernels.
//
//   inferd_vulkan_mobilenet_benchmark [--runs N (default 5)] [--int64 0|1 (default 1)]
//
// --int64 0 runs the exact 32-bit variants of the 64-bit integer shaders (shaders/wide_int.glsl),
// as on a device without shaderInt64, to compare the two paths' speed.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "backends/cpu/graph_executor.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_context.h"
#include "benchmarks/vulkan/median.h"
#include "engine/graph/tosa_reader.h"

namespace inferd::bench {
namespace {

using Clock = std::chrono::steady_clock;

template <typename F>
double TimeMs(F&& run) {
  const auto start = Clock::now();
  if (!run()) {
    std::cerr << "a run failed\n";
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int Benchmark(const std::string& tag, int runs, std::shared_ptr<vulkan::VulkanDevice> device,
              bool use_int64) {
  const std::string path = std::string(INFERD_MOBILENET_DIR) + "/mobilenet_v2_" + tag + ".tosa";
  auto graph = graph::LoadTosaFile(path);
  if (!graph.ok()) {
    std::cerr << path << ": " << graph.status() << "\n";
    return 1;
  }
  auto cpu = cpu::GraphExecutor::Create(*graph);
  auto gpu = vulkan::GraphProgram::Create(device, *graph, 1, {.use_int64 = use_int64});
  if (!cpu.ok() || !gpu.ok()) {
    std::cerr << (cpu.ok() ? gpu.status() : cpu.status()) << "\n";
    return 1;
  }
  const graph::Block& main = (*graph)->main_block();
  std::vector<uint8_t> input((*cpu)->StorageBytes(main.inputs[0]));
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>((i * 31 + 7) % 251);
  if (tag == "fp32") {
    for (size_t i = 0; i + 4 <= input.size(); i += 4) {
      const float value = static_cast<float>((i / 4) % 97) / 97.0f - 0.5f;
      std::memcpy(&input[i], &value, 4);
    }
  }
  std::vector<uint8_t> cpu_out((*cpu)->StorageBytes(main.outputs[0]));
  std::vector<uint8_t> gpu_out((*gpu)->output_bytes(0));
  const std::vector<std::span<const uint8_t>> in = {input};
  const std::vector<std::span<uint8_t>> cpu_spans = {cpu_out};
  const std::vector<std::span<uint8_t>> gpu_spans = {gpu_out};
  auto run_cpu = [&] { return (*cpu)->Run(in, cpu_spans).ok(); };
  auto run_gpu = [&] { return (*gpu)->RunAndWait(in, gpu_spans).ok(); };
  TimeMs(run_cpu);
  TimeMs(run_gpu);
  const bool identical = cpu_out == gpu_out;
  std::vector<double> cpu_ms, gpu_ms;
  for (int round = 0; round < runs; ++round) {
    gpu_ms.push_back(TimeMs(run_gpu));
    cpu_ms.push_back(TimeMs(run_cpu));
  }
  const double g = Median(gpu_ms);
  const double c = Median(cpu_ms);
  std::cout << absl::StrFormat(
      "MobileNetV2 %s, %d dispatches%s, %d interleaved rounds (medians)\n"
      "  tosa_vulkan  %9.2f ms\n  tosa_cpu     %9.2f ms (1 thread)\n  vulkan / cpu %9.2fx\n"
      "  outputs %s\n",
      tag, (*gpu)->dispatch_count(), (*gpu)->uses_int64() ? "" : " (32-bit integer shaders)", runs,
      g, c, g / c,
      identical ? "byte-identical" : (tag == "int8" ? "DIFFER" : "differ (FP32: rounding order)"));
  return tag == "int8" && !identical ? 1 : 0;
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) {
  int runs = 5;
  bool use_int64 = true;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (std::string(argv[i]) == "--int64") {
      use_int64 = std::string(argv[i + 1]) != "0";
    } else {
      std::cerr << "usage: inferd_vulkan_mobilenet_benchmark [--runs N] [--int64 0|1]\n";
      return 2;
    }
  }
  auto device = inferd::vulkan::VulkanContext::OpenDevice(std::nullopt);
  if (!device.ok()) {
    std::cerr << device.status() << "\n";
    return 1;
  }
  std::cout << "device: " << (*device)->info().name << "\n";
  int status = 0;
  for (const char* tag : {"int8", "fp32"}) {
    status |= inferd::bench::Benchmark(tag, runs, *device, use_int64);
  }
  return status;
}
