// MobileNetV2-shaped graphs (tools/build_mobilenet.py, 1x224x224x3) on the tosa_vulkan backend's
// default device against the CPU backend's executor on one thread, interleaved in one process.
// Checks first that the INT8 outputs are byte-identical, then prints medians and the ratio. On
// lavapipe both run on the same cores, so the ratio measures the shaders against the CPU kernels.
//
// With --batch N (above 1) it measures the GPU's throughput instead, both ways a model with
// max_batch_size N can run a full batch, interleaved: item by item (one GraphProgram of N batch
// slots, N runs of the graph in one submission) and as one pass over the graph widened to N
// (engine/graph/batched_graph.h, the tosa_vulkan default); the median time per batch, images per
// second and the ratio, each image's output checked against a batch of 1 (INT8 must be equal).
//
// With --passes S[,S...] as well it measures a batch of N through the backend itself
// (VulkanBackend::Load and Execute) on a model whose batch passes are for the sizes S (its
// preferred batch sizes; max_batch_size the largest of them and N), as the scheduler hands one
// over: with gpu_batch_pass "false" (item by item) against the default, which runs a batch of a
// size without a pass as the passes that fit it and the items left one at a time (batch_plan.h).
//
//   inferd_vulkan_mobilenet_benchmark [--runs N (default 5)] [--batch N (default 1)]
//                                     [--passes S[,S...]]
//                                     [--graphs int8,fp32 (default both)] [--int64 0|1 (default 1)]
//
// --int64 0 runs the exact 32-bit variants of the 64-bit integer shaders (shaders/wide_int.glsl),
// as on a device without shaderInt64, to compare the two paths' speed.
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
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "backends/cpu/graph_executor.h"
#include "backends/vulkan/batch_plan.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_backend.h"
#include "backends/vulkan/vulkan_context.h"
#include "benchmarks/vulkan/median.h"
#include "benchmarks/vulkan/mobilenet_input.h"
#include "engine/graph/batched_graph.h"
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

absl::StatusOr<std::shared_ptr<const graph::Graph>> LoadGraph(const std::string& tag) {
  // The environment's INFERD_MOBILENET_DIR, where the graphs are not at the build's path (the
  // binary carried to another machine, real_gpu_check.sh).
  const char* dir = std::getenv("INFERD_MOBILENET_DIR");
  const std::string path =
      std::string(dir != nullptr ? dir : INFERD_MOBILENET_DIR) + "/mobilenet_v2_" + tag + ".tosa";
  auto graph = graph::LoadTosaFile(path);
  if (!graph.ok()) {
    return absl::Status(graph.status().code(), path + ": " + std::string(graph.status().message()));
  }
  return *graph;
}

int Benchmark(const std::string& tag, int runs, std::shared_ptr<vulkan::VulkanDevice> device,
              bool use_int64) {
  auto graph = LoadGraph(tag);
  if (!graph.ok()) {
    std::cerr << graph.status() << "\n";
    return 1;
  }
  auto cpu = cpu::GraphExecutor::Create(*graph);
  auto gpu = vulkan::GraphProgram::Create(device, *graph, 1, {.use_int64 = use_int64});
  if (!cpu.ok() || !gpu.ok()) {
    std::cerr << (cpu.ok() ? gpu.status() : cpu.status()) << "\n";
    return 1;
  }
  const graph::Block& main = (*graph)->main_block();
  const std::vector<uint8_t> input =
      PatternInput((*cpu)->StorageBytes(main.inputs[0]), tag == "fp32");
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
      "MobileNetV2 %s, %d dispatches%s, %.1f MiB on the device (%.1f MiB of it constants), %d "
      "interleaved rounds (medians)\n"
      "  tosa_vulkan  %9.2f ms\n  tosa_cpu     %9.2f ms (1 thread)\n  vulkan / cpu %9.2fx\n"
      "  outputs %s\n",
      tag, (*gpu)->dispatch_count(), (*gpu)->uses_int64() ? "" : " (32-bit integer shaders)",
      static_cast<double>((*gpu)->allocated_bytes() + (*gpu)->constant_bytes()) / (1 << 20),
      static_cast<double>((*gpu)->constant_bytes()) / (1 << 20), runs, g, c, g / c,
      identical ? "byte-identical" : (tag == "int8" ? "DIFFER" : "differ (FP32: rounding order)"));
  return tag == "int8" && !identical ? 1 : 0;
}

// The graph `tag`, the benchmarks' image for it and what a batch of 1 outputs for it, which every
// image of a batch must equal.
struct ImageAndOutput {
  std::shared_ptr<const graph::Graph> graph;
  std::vector<uint8_t> image;
  std::vector<uint8_t> output;
};

absl::StatusOr<ImageAndOutput> RunOneImage(const std::string& tag,
                                           std::shared_ptr<vulkan::VulkanDevice> device) {
  auto graph = LoadGraph(tag);
  if (!graph.ok()) return graph.status();
  auto one = vulkan::GraphProgram::Create(std::move(device), *graph, 1);
  if (!one.ok()) return one.status();
  ImageAndOutput result{*graph, PatternInput((*one)->input_bytes(0), tag == "fp32"),
                        std::vector<uint8_t>((*one)->output_bytes(0))};
  const std::vector<std::span<const uint8_t>> in = {result.image};
  const std::vector<std::span<uint8_t>> out = {result.output};
  if (absl::Status status = (*one)->RunAndWait(in, out); !status.ok()) return status;
  return result;
}

// `batch` images in one submission on the GPU alone: the median time per batch, images per
// second, and whether every image's output equals a batch of 1's.
int BatchThroughput(const std::string& tag, int runs, int batch,
                    std::shared_ptr<vulkan::VulkanDevice> device) {
  auto one = RunOneImage(tag, device);
  if (!one.ok()) {
    std::cerr << one.status() << "\n";
    return 1;
  }
  auto many = vulkan::GraphProgram::Create(device, one->graph, batch);
  if (!many.ok()) {
    std::cerr << many.status() << "\n";
    return 1;
  }
  // The one-pass program; where it cannot be built (a widened tensor past the device's
  // maxStorageBufferRange, its memory) the reason is printed and item by item is still measured.
  absl::StatusOr<std::unique_ptr<vulkan::GraphProgram>> pass = [&]() {
    auto widened = graph::BatchedGraph(*one->graph, batch);
    if (!widened.ok())
      return absl::StatusOr<std::unique_ptr<vulkan::GraphProgram>>(widened.status());
    return vulkan::GraphProgram::Create(device, *widened, 1);
  }();
  const std::vector<uint8_t>& image = one->image;
  const std::vector<uint8_t>& single = one->output;
  std::vector<uint8_t> images;
  for (int i = 0; i < batch; ++i) images.insert(images.end(), image.begin(), image.end());
  std::vector<uint8_t> outputs((*many)->output_bytes(0) * batch);
  std::vector<uint8_t> pass_outputs(pass.ok() ? (*pass)->output_bytes(0) : 0);
  const std::vector<std::span<const uint8_t>> in = {images};
  const std::vector<std::span<uint8_t>> out = {outputs};
  const std::vector<std::span<uint8_t>> pass_out = {pass_outputs};
  auto run = [&] { return (*many)->RunAndWait(in, out, batch).ok(); };
  auto run_pass = [&] { return (*pass)->RunAndWait(in, pass_out, 1).ok(); };
  TimeMs(run);
  if (pass.ok()) TimeMs(run_pass);
  bool identical = true, pass_identical = pass.ok();
  for (int i = 0; i < batch; ++i) {
    identical &= std::equal(single.begin(), single.end(), outputs.begin() + i * single.size());
    if (pass.ok()) {
      pass_identical &=
          std::equal(single.begin(), single.end(), pass_outputs.begin() + i * single.size());
    }
  }
  std::vector<double> ms, pass_ms;
  for (int round = 0; round < runs; ++round) {
    ms.push_back(TimeMs(run));
    if (pass.ok()) pass_ms.push_back(TimeMs(run_pass));
  }
  const double m = Median(ms);
  std::cout << absl::StrFormat(
      "MobileNetV2 %s, a batch of %d in one submission, %d interleaved runs (medians)\n"
      "  item by item  %9.2f ms per batch, %.2f ms per image, %.1f images/s\n",
      tag, batch, runs, m, m / batch, 1000.0 * batch / m);
  if (!pass.ok()) {
    std::cout << "  one pass      not built: " << pass.status().message() << "\n"
              << "  every image's output: item by item " << (identical ? "equals" : "DIFFERS from")
              << " a batch of 1's\n";
    return identical ? 0 : 1;
  }
  const double p = Median(pass_ms);
  std::cout << absl::StrFormat(
      "  one pass      %9.2f ms per batch, %.2f ms per image, %.1f images/s\n"
      "  one pass / item by item  %.2fx\n"
      "  every image's output: item by item %s, one pass %s a batch of 1's\n",
      p, p / batch, 1000.0 * batch / p, p / m, identical ? "equals" : "DIFFERS from",
      pass_identical ? "equals" : (tag == "int8" ? "DIFFERS from" : "differs (FP32) from"));
  return identical && (pass_identical || tag != "int8") ? 0 : 1;
}

// A batch of `batch` images through the tosa_vulkan backend's Executable, with batch passes of
// `passes` items: item by item (gpu_batch_pass "false") against the split batch_plan.h chooses.
int PlannedBatchThroughput(const std::string& tag, int runs, int batch,
                           const std::vector<int>& passes,
                           std::shared_ptr<vulkan::VulkanDevice> device) {
  auto one = RunOneImage(tag, device);
  if (!one.ok()) {
    std::cerr << one.status() << "\n";
    return 1;
  }
  const graph::Graph& graph = *one->graph;
  const graph::Block& main = graph.main_block();
  auto spec = [&](graph::TensorId id) {
    const graph::Tensor& tensor = graph.tensor(id);
    return TensorSpec{tensor.name, *graph::ToDataType(tensor.dtype),
                      Shape(tensor.shape.begin() + 1, tensor.shape.end())};
  };
  BackendLoadRequest request;
  request.model_name = "mobilenet_v2_" + tag;
  request.graph = one->graph;
  request.max_batch_size = std::max(batch, *std::max_element(passes.begin(), passes.end()));
  request.preferred_batch_sizes = passes;
  request.inputs = {spec(main.inputs[0])};
  request.outputs = {spec(main.outputs[0])};
  vulkan::VulkanBackend backend;
  // Load times (the pipelines are the device's, made by the batch-1 run above or the first load)
  // and what each load added to the device's memory; the planned model loads first, so that its
  // constants count there.
  struct TimedLoad {
    absl::StatusOr<std::unique_ptr<Executable>> executable;
    double ms = 0;
    uint64_t bytes = 0;
  };
  auto load = [&](const char* batch_pass) {
    request.parameters[std::string(vulkan::VulkanBackend::kBatchPassParameter)] = batch_pass;
    const uint64_t before = device->allocated_bytes();
    const auto start = Clock::now();
    TimedLoad timed{backend.Load(request)};
    timed.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    timed.bytes = device->allocated_bytes() - before;
    return timed;
  };
  TimedLoad planned = load("true");
  TimedLoad item_by_item = load("false");
  if (!item_by_item.executable.ok() || !planned.executable.ok()) {
    std::cerr << (item_by_item.executable.ok() ? planned.executable.status()
                                               : item_by_item.executable.status())
              << "\n";
    return 1;
  }
  const std::vector<uint8_t>& image = one->image;
  const std::vector<uint8_t>& single = one->output;
  Shape shape = request.inputs[0].dims;
  shape.insert(shape.begin(), batch);
  Tensor images = Tensor::Allocate(request.inputs[0].dtype, shape);
  for (int i = 0; i < batch; ++i) {
    std::memcpy(images.mutable_bytes().data() + i * image.size(), image.data(), image.size());
  }
  bool identical[2] = {true, true};
  auto run = [&](Executable& executable, bool& equal) {
    Batch work;
    work.inputs = {images};
    work.batch_size = batch;
    work.cancellation = std::make_shared<CancellationToken>();
    std::promise<absl::StatusOr<BatchResult>> promise;
    auto future = promise.get_future();
    executable.Execute(std::move(work), [&promise](absl::StatusOr<BatchResult> result) {
      promise.set_value(std::move(result));
    });
    absl::StatusOr<BatchResult> result = future.get();
    if (!result.ok()) return false;
    const auto bytes = result->outputs[0].bytes();
    for (int i = 0; i < batch; ++i) {
      equal &= std::equal(single.begin(), single.end(), bytes.begin() + i * single.size());
    }
    return true;
  };
  auto run_items = [&] { return run(**item_by_item.executable, identical[0]); };
  auto run_planned = [&] { return run(**planned.executable, identical[1]); };
  TimeMs(run_items);
  TimeMs(run_planned);
  std::vector<double> items_ms, planned_ms;
  for (int round = 0; round < runs; ++round) {
    items_ms.push_back(TimeMs(run_items));
    planned_ms.push_back(TimeMs(run_planned));
  }
  std::string split;
  for (const vulkan::BatchPart& part :
       vulkan::PlanBatch(batch, vulkan::BatchPassSizes(request.max_batch_size, passes))) {
    absl::StrAppend(&split, split.empty() ? "" : " + ", part.items,
                    part.pass ? " in a pass" : " one at a time");
  }
  const double m = Median(items_ms);
  const double p = Median(planned_ms);
  std::cout << absl::StrFormat(
      "MobileNetV2 %s through the backend, a batch of %d with passes for %s, %d interleaved runs "
      "(medians)\n"
      "  loads         planned %.0f ms adding %.1f MiB to the device, item by item %.0f ms adding "
      "%.1f MiB (its constants already there)\n"
      "  item by item  %9.2f ms per batch, %.1f images/s\n"
      "  planned       %9.2f ms per batch, %.1f images/s (%s)\n"
      "  planned / item by item  %.2fx\n"
      "  every image's output: item by item %s, planned %s a batch of 1's\n",
      tag, batch, absl::StrJoin(passes, ","), runs, planned.ms,
      static_cast<double>(planned.bytes) / (1 << 20), item_by_item.ms,
      static_cast<double>(item_by_item.bytes) / (1 << 20), m, 1000.0 * batch / m, p,
      1000.0 * batch / p, split, p / m, identical[0] ? "equals" : "DIFFERS from",
      identical[1] ? "equals" : (tag == "int8" ? "DIFFERS from" : "differs (FP32) from"));
  return identical[0] && (identical[1] || tag != "int8") ? 0 : 1;
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) {
  int runs = 5;
  int batch = 1;
  bool use_int64 = true;
  std::vector<int> passes;
  std::vector<std::string> tags = {"int8", "fp32"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--batch") {
      batch = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--passes") {
      for (const absl::string_view size : absl::StrSplit(argv[i + 1], ',')) {
        passes.push_back(std::max(2, std::atoi(std::string(size).c_str())));
      }
    } else if (flag == "--graphs") {
      tags = absl::StrSplit(argv[i + 1], ',');
    } else if (flag == "--int64") {
      use_int64 = std::string(argv[i + 1]) != "0";
    } else {
      std::cerr << "usage: inferd_vulkan_mobilenet_benchmark [--runs N] [--batch N] "
                   "[--passes S[,S...]] [--graphs int8,fp32] [--int64 0|1]\n";
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
  for (const std::string& tag : tags) {
    if (batch > 1 && !passes.empty()) {
      status |= inferd::bench::PlannedBatchThroughput(tag, runs, batch, passes, *device);
    } else if (batch > 1) {
      status |= inferd::bench::BatchThroughput(tag, runs, batch, *device);
    } else {
      status |= inferd::bench::Benchmark(tag, runs, *device, use_int64);
    }
  }
  return status;
}
