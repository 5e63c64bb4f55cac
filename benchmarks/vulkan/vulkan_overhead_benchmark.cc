// Host overhead of the tosa_vulkan backend per inference, side by side in one process: the digits
// model (examples/models/digits_int8) through the backend's Executable (inputs copied to staging,
// submitted, completed on the device's completion thread, outputs copied into a new tensor)
// against the floor — the same recorded command buffers submitted and waited on with a fence and
// nothing else — and against the CPU backend on the same graph. Rounds interleave the subjects so
// that machine noise hits them alike; prints medians and ratios.
//
//   inferd_vulkan_overhead_benchmark [--runs N (default 400)] [--batch N (default 1)]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_backend.h"
#include "backends/vulkan/vulkan_context.h"
#include "benchmarks/vulkan/median.h"
#include "engine/graph/tosa_reader.h"

namespace inferd::bench {
namespace {

using Clock = std::chrono::steady_clock;

BackendLoadRequest DigitsRequest(std::shared_ptr<const graph::Graph> graph) {
  BackendLoadRequest request;
  request.model_name = "digits_int8";
  request.graph = std::move(graph);
  request.max_batch_size = 64;
  request.inputs = {TensorSpec{"images", DataType::kInt8, {8, 8, 1}}};
  request.outputs = {TensorSpec{"scores", DataType::kInt8, {10}}};
  return request;
}

double TimeExecuteUs(Executable& executable, const Tensor& images, int64_t batch) {
  Batch work;
  work.inputs.push_back(images);
  work.batch_size = batch;
  work.cancellation = std::make_shared<CancellationToken>();
  std::promise<bool> done;
  auto finished = done.get_future();
  const auto start = Clock::now();
  executable.Execute(std::move(work),
                     [&done](absl::StatusOr<BatchResult> result) { done.set_value(result.ok()); });
  const bool ok = finished.get();
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  if (!ok) {
    std::cerr << "an inference failed\n";
    std::exit(1);
  }
  return us;
}

int Run(int runs, int64_t batch) {
  const std::string path =
      std::string(INFERD_SOURCE_DIR) + "/examples/models/digits_int8/1/model.tosa";
  auto graph = graph::LoadTosaFile(path);
  if (!graph.ok()) {
    std::cerr << graph.status() << "\n";
    return 1;
  }
  auto device = vulkan::VulkanContext::OpenDevice(std::nullopt);
  if (!device.ok()) {
    std::cerr << device.status() << "\n";
    return 1;
  }
  vulkan::VulkanBackend vulkan_backend;
  cpu::CpuBackend cpu_backend;
  auto on_gpu = vulkan_backend.Load(DigitsRequest(*graph));
  auto on_cpu = cpu_backend.Load(DigitsRequest(*graph));
  auto floor = vulkan::GraphProgram::Create(*device, *graph, 64);
  if (!on_gpu.ok() || !on_cpu.ok() || !floor.ok()) {
    std::cerr << "load failed\n";
    return 1;
  }
  Tensor images = Tensor::Allocate(DataType::kInt8, {batch, 8, 8, 1});
  for (size_t i = 0; i < images.mutable_bytes().size(); ++i) {
    images.mutable_bytes()[i] = static_cast<uint8_t>(i * 7 % 17);
  }

  std::vector<double> backend_us, floor_us, cpu_us;
  for (int warm = 0; warm < 20; ++warm) {
    TimeExecuteUs(**on_gpu, images, batch);
    (void)(*floor)->ReplayAndWait(static_cast<int>(batch));
  }
  for (int round = 0; round < runs; ++round) {
    backend_us.push_back(TimeExecuteUs(**on_gpu, images, batch));
    const auto start = Clock::now();
    if (!(*floor)->ReplayAndWait(static_cast<int>(batch)).ok()) return 1;
    floor_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    cpu_us.push_back(TimeExecuteUs(**on_cpu, images, batch));
  }
  const double backend = Median(backend_us);
  const double bare = Median(floor_us);
  const double cpu = Median(cpu_us);
  std::cout << absl::StrFormat(
      "device: %s\ndigits_int8, batch %d, %d interleaved rounds (medians)\n"
      "  tosa_vulkan Executable      %9.1f us\n"
      "  floor: replay + fence wait  %9.1f us\n"
      "  tosa_cpu Executable         %9.1f us\n"
      "  backend / floor             %9.2fx  (goal <= 1.5x)\n"
      "  backend / cpu               %9.2fx\n",
      (*device)->info().name, batch, runs, backend, bare, cpu, backend / bare, backend / cpu);
  return 0;
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) {
  int runs = 400;
  int64_t batch = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--batch") {
      batch = std::clamp<int64_t>(std::atoll(argv[i + 1]), 1, 64);
    } else {
      std::cerr << "usage: inferd_vulkan_overhead_benchmark [--runs N] [--batch N]\n";
      return 2;
    }
  }
  return inferd::bench::Run(runs, batch);
}
