// The real NSS model (a VGF file, ../shared/models/vgf/nss_v0_1_1_int8.vgf) on the tosa_vulkan
// backend's default device against the CPU backend's executor on one thread, in one process:
// load time (read + decode + validate + the backend's own preparation) and inference latency,
// interleaved rounds, medians and ratios. Checks first that the six INT8 outputs are identical.
//
//   inferd_vgf_nss_benchmark [--model PATH] [--size HxW (default 540x960)] [--runs N (default 5)]
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "backends/cpu/graph_executor.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_context.h"
#include "benchmarks/vulkan/median.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"

namespace inferd::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

absl::StatusOr<std::shared_ptr<const graph::Graph>> Decode(const std::vector<uint8_t>& bytes,
                                                           int64_t height, int64_t width) {
  auto file = graph::vgf::ReadVgfFile(bytes);
  if (!file.ok()) return file.status();
  auto signature = graph::vgf::ReadVgfSignature(*file);
  if (!signature.ok()) return signature.status();
  graph::vgf::VgfDecodeOptions options;
  for (const auto& input : signature->inputs) {
    Shape shape = input.shape;
    if (shape.size() == 4) shape = {1, height, width, shape[3] < 0 ? 12 : shape[3]};
    options.input_shapes[input.name] = shape;
  }
  auto graph = graph::vgf::DecodeVgfGraph(*file, options);
  if (!graph.ok()) return graph.status();
  if (auto s = graph::ValidateGraph(**graph); !s.ok()) return s;
  return graph;
}

int Run(int argc, char** argv) {
  const char* env = std::getenv("INFERD_VGF_MODELS_DIR");
  std::string path =
      std::string(env != nullptr && *env ? env : INFERD_SOURCE_DIR "/../shared/models/vgf") +
      "/nss_v0_1_1_int8.vgf";
  int64_t height = 540, width = 960;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--model") {
      path = argv[i + 1];
    } else if (flag == "--size") {
      if (std::sscanf(argv[i + 1], "%ldx%ld", &height, &width) != 2) return 2;
    } else if (flag == "--runs") {
      runs = std::atoi(argv[i + 1]);
    } else {
      std::cerr << "usage: inferd_vgf_nss_benchmark [--model PATH] [--size HxW] [--runs N]\n";
      return 2;
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path << " is absent (set INFERD_VGF_MODELS_DIR or --model)\n";
    return 77;
  }
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  auto device = vulkan::VulkanContext::OpenDevice(std::nullopt);
  if (!device.ok()) {
    std::cerr << "no Vulkan device: " << device.status() << "\n";
    return 1;
  }
  std::cout << "device: " << (*device)->info().name << "\n";

  // Load: decode + validate + the backend's preparation, each backend from the same bytes.
  std::vector<double> cpu_load_ms, gpu_load_ms;
  std::unique_ptr<cpu::GraphExecutor> cpu;
  std::unique_ptr<vulkan::GraphProgram> gpu;
  std::shared_ptr<const graph::Graph> graph;
  for (int round = 0; round < runs; ++round) {
    auto start = Clock::now();
    auto g = Decode(bytes, height, width);
    if (!g.ok()) {
      std::cerr << g.status() << "\n";
      return 1;
    }
    auto c = cpu::GraphExecutor::Create(*g);
    if (!c.ok()) {
      std::cerr << c.status() << "\n";
      return 1;
    }
    cpu_load_ms.push_back(MsSince(start));
    start = Clock::now();
    auto g2 = Decode(bytes, height, width);
    auto p = vulkan::GraphProgram::Create(*device, *g2, 1);
    if (!p.ok()) {
      std::cerr << p.status() << "\n";
      return 1;
    }
    gpu_load_ms.push_back(MsSince(start));
    cpu = *std::move(c);
    gpu = *std::move(p);
    graph = *g;
  }

  const graph::Block& main = graph->main_block();
  std::vector<uint8_t> input(cpu->StorageBytes(main.inputs[0]));
  std::mt19937 random(7);
  for (uint8_t& b : input) b = static_cast<uint8_t>(random());
  std::vector<std::vector<uint8_t>> cpu_out, gpu_out;
  std::vector<std::span<uint8_t>> cpu_spans, gpu_spans;
  for (size_t k = 0; k < main.outputs.size(); ++k) {
    cpu_out.emplace_back(cpu->StorageBytes(main.outputs[k]));
    gpu_out.emplace_back(gpu->output_bytes(k));
  }
  for (size_t k = 0; k < main.outputs.size(); ++k) {
    cpu_spans.push_back(cpu_out[k]);
    gpu_spans.push_back(gpu_out[k]);
  }
  const std::vector<std::span<const uint8_t>> inputs = {input};
  auto run_cpu = [&] { return cpu->Run(inputs, cpu_spans).ok(); };
  auto run_gpu = [&] { return gpu->RunAndWait(inputs, gpu_spans).ok(); };
  if (!run_cpu() || !run_gpu()) {
    std::cerr << "a run failed\n";
    return 1;
  }
  const bool identical = cpu_out == gpu_out;
  std::vector<double> cpu_ms, gpu_ms;
  for (int round = 0; round < runs; ++round) {
    auto start = Clock::now();
    if (!run_gpu()) return 1;
    gpu_ms.push_back(MsSince(start));
    start = Clock::now();
    if (!run_cpu()) return 1;
    cpu_ms.push_back(MsSince(start));
  }
  std::cout << absl::StrFormat(
      "NSS v0.1.1 INT8 (VGF), input 1x%dx%dx12, %d operators, %d interleaved rounds (medians)\n"
      "  load     tosa_vulkan %9.2f ms   tosa_cpu %9.2f ms   vulkan / cpu %6.2fx\n"
      "  latency  tosa_vulkan %9.2f ms   tosa_cpu %9.2f ms   vulkan / cpu %6.2fx (cpu: 1 thread)\n"
      "  outputs %s\n",
      height, width, main.operators.size(), runs, Median(gpu_load_ms), Median(cpu_load_ms),
      Median(gpu_load_ms) / Median(cpu_load_ms), Median(gpu_ms), Median(cpu_ms),
      Median(gpu_ms) / Median(cpu_ms), identical ? "byte-identical" : "DIFFER");
  return identical ? 0 : 1;
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) { return inferd::bench::Run(argc, argv); }
