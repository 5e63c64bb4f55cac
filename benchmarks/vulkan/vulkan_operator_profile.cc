// Where the MobileNetV2-shaped graphs' time goes on the tosa_vulkan backend: every operator of the
// main block run alone (a one-operator graph holding its constants) on the default Vulkan device
// and on the CPU backend's executor, interleaved, medians per operator, then the sums per operator
// type and the slowest operators. Each Vulkan run includes one submission's fixed cost (about
// 0.4 ms on lavapipe; see vulkan_overhead_benchmark), so the sums overstate small operators.
//
//   inferd_vulkan_operator_profile [--runs N (default 3)] [--graph int8|fp32 (default int8)]
//                                  [--op NAME (only operators of that type, e.g. CONV2D)]
//                                  [--in-graph 1] [--int64 0|1 (default 1)]
//                                  [--tiled-conv 0|1] [--slowest N (default 12)]
//
// --in-graph 1 times the operators inside the whole graph instead, as it runs: one program with
// a timestamp after every operator's work (GraphProgram's OperatorProfile, what `inferctl profile`
// shows), so a convolution that took over the RESCALE and CLAMP after it (epilogue_fusion.h) has
// one entry named CONV2D+RESCALE+CLAMP; figures are GPU time per inference, without the
// submission's fixed cost (each timestamp adds some on lavapipe). --int64 0 runs the exact 32-bit
// variants of the 64-bit integer shaders, as on a device without shaderInt64. --tiled-conv 1 runs
// the wide 1x1 CONV2Ds on the shared-memory tiled shader on any device (lavapipe included), 0 on
// the register-blocked one; without it the backend's default for the device. --slowest N lists the
// N slowest operators (all: a large N).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "backends/cpu/graph_executor.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_context.h"
#include "benchmarks/vulkan/median.h"
#include "benchmarks/vulkan/mobilenet_input.h"
#include "engine/graph/tosa_reader.h"

namespace inferd::bench {
namespace {

using Clock = std::chrono::steady_clock;

// `whole` with a main block that runs only operator `index` of its main block: the CONSTs it
// reads stay, its other inputs become the block's inputs.
std::shared_ptr<const graph::Graph> OneOperator(const graph::Graph& whole, size_t index) {
  auto one = std::make_shared<graph::Graph>(whole);
  graph::Block& main = one->blocks[graph::Graph::kMainBlock];
  const graph::Operator op = main.operators[index];
  std::map<graph::TensorId, graph::Operator> producers;
  for (const graph::Operator& other : main.operators) {
    if ((other.op == graph::Op::kConst || other.op == graph::Op::kConstShape) &&
        other.outputs.size() == 1) {
      producers[other.outputs[0]] = other;
    }
  }
  main.operators.clear();
  main.inputs.clear();
  std::set<graph::TensorId> seen;
  for (graph::TensorId id : op.inputs) {
    if (!seen.insert(id).second) continue;
    auto it = producers.find(id);
    if (it != producers.end()) {
      main.operators.push_back(it->second);
    } else {
      main.inputs.push_back(id);
    }
  }
  main.operators.push_back(op);
  main.outputs = op.outputs;
  return one;
}

struct Timing {
  std::string op, shape;
  double gpu_ms = 0, cpu_ms = 0;
};

// The operators' GPU time inside the whole graph (--in-graph), per operator type and the slowest.
int InGraphProfile(const std::string& tag, int runs, std::shared_ptr<vulkan::VulkanDevice> device,
                   vulkan::GraphProgramOptions options, size_t slowest) {
  const std::string path = std::string(INFERD_MOBILENET_DIR) + "/mobilenet_v2_" + tag + ".tosa";
  auto whole = graph::LoadTosaFile(path);
  if (!whole.ok()) {
    std::cerr << path << ": " << whole.status() << "\n";
    return 1;
  }
  options.time_operators = true;
  auto gpu = vulkan::GraphProgram::Create(device, *whole, 1, options);
  if (!gpu.ok()) {
    std::cerr << gpu.status() << "\n";
    return 1;
  }
  const std::vector<uint8_t> input = PatternInput((*gpu)->input_bytes(0), tag == "fp32");
  std::vector<uint8_t> output((*gpu)->output_bytes(0));
  const std::vector<std::span<const uint8_t>> in = {input};
  const std::vector<std::span<uint8_t>> out = {output};
  for (int round = 0; round <= runs; ++round) {
    if (!(*gpu)->RunAndWait(in, out).ok()) return 1;
  }
  std::vector<Timing> timings;
  std::map<std::string, Timing> by_type;
  std::map<std::string, int> counts;
  double total = 0;
  for (const OperatorTiming& t : (*gpu)->OperatorProfile()) {
    const double ms = t.calls == 0 ? 0 : t.total_ns / 1e6 / static_cast<double>(t.calls);
    timings.push_back({t.op, t.shape, ms, 0});
    by_type[t.op].gpu_ms += ms;
    ++counts[t.op];
    total += ms;
  }
  std::cout << absl::StrFormat(
      "MobileNetV2 %s in the whole graph%s: %d dispatches, GPU ms per inference over %d runs\n",
      tag, options.use_int64 ? "" : " (32-bit integer shaders)", (*gpu)->dispatch_count(),
      runs + 1);
  for (const auto& [name, t] : by_type) {
    std::cout << absl::StrFormat("  %-32s %5d %10.2f\n", name, counts[name], t.gpu_ms);
  }
  std::cout << absl::StrFormat("  %-32s %5d %10.2f\n", "total", timings.size(), total);
  std::sort(timings.begin(), timings.end(),
            [](const Timing& a, const Timing& b) { return a.gpu_ms > b.gpu_ms; });
  std::cout << "  slowest:\n";
  for (size_t i = 0; i < std::min(slowest, timings.size()); ++i) {
    std::cout << absl::StrFormat("    %-32s %-16s %9.2f ms\n", timings[i].op, timings[i].shape,
                                 timings[i].gpu_ms);
  }
  return 0;
}

int Profile(const std::string& tag, const std::string& only, int runs,
            std::shared_ptr<vulkan::VulkanDevice> device, vulkan::GraphProgramOptions options,
            size_t slowest) {
  const std::string path = std::string(INFERD_MOBILENET_DIR) + "/mobilenet_v2_" + tag + ".tosa";
  auto whole = graph::LoadTosaFile(path);
  if (!whole.ok()) {
    std::cerr << path << ": " << whole.status() << "\n";
    return 1;
  }
  std::vector<Timing> timings;
  const graph::Block& main = (*whole)->main_block();
  for (size_t i = 0; i < main.operators.size(); ++i) {
    const graph::Operator& op = main.operators[i];
    if (op.op == graph::Op::kConst || op.op == graph::Op::kConstShape) continue;
    if (!only.empty() && graph::OpName(op.op) != only) continue;
    std::shared_ptr<const graph::Graph> one = OneOperator(**whole, i);
    auto cpu = cpu::GraphExecutor::Create(one);
    auto gpu = vulkan::GraphProgram::Create(device, one, 1, options);
    if (!cpu.ok() || !gpu.ok()) {
      std::cerr << "operator " << i << ": " << (cpu.ok() ? gpu.status() : cpu.status()) << "\n";
      return 1;
    }
    const graph::Block& block = one->main_block();
    std::vector<std::vector<uint8_t>> in_bytes, cpu_bytes, gpu_bytes;
    std::vector<std::span<const uint8_t>> in;
    std::vector<std::span<uint8_t>> cpu_out, gpu_out;
    for (size_t k = 0; k < block.inputs.size(); ++k) {
      const bool float_values = one->tensor(block.inputs[k]).dtype == graph::DType::kFp32;
      in_bytes.push_back(PatternInput((*cpu)->StorageBytes(block.inputs[k]), float_values));
    }
    for (size_t k = 0; k < block.outputs.size(); ++k) {
      cpu_bytes.emplace_back((*cpu)->StorageBytes(block.outputs[k]));
      gpu_bytes.emplace_back((*gpu)->output_bytes(k));
    }
    for (auto& b : in_bytes) in.emplace_back(b);
    for (auto& b : cpu_bytes) cpu_out.emplace_back(b);
    for (auto& b : gpu_bytes) gpu_out.emplace_back(b);
    std::vector<double> g, c;
    for (int round = 0; round <= runs; ++round) {
      auto start = Clock::now();
      if (!(*gpu)->RunAndWait(in, gpu_out).ok()) return 1;
      auto middle = Clock::now();
      if (!(*cpu)->Run(in, cpu_out).ok()) return 1;
      auto end = Clock::now();
      if (round == 0) continue;  // warm-up
      g.push_back(std::chrono::duration<double, std::milli>(middle - start).count());
      c.push_back(std::chrono::duration<double, std::milli>(end - middle).count());
    }
    const graph::Tensor& out = one->tensor(op.outputs[0]);
    timings.push_back(
        {std::string(graph::OpName(op.op)),
         absl::StrJoin(out.shape, "x") + " " + std::string(graph::DTypeName(out.dtype)), Median(g),
         Median(c)});
  }
  std::map<std::string, Timing> by_type;
  std::map<std::string, int> counts;
  double gpu_total = 0, cpu_total = 0;
  for (const Timing& t : timings) {
    by_type[t.op].gpu_ms += t.gpu_ms;
    by_type[t.op].cpu_ms += t.cpu_ms;
    ++counts[t.op];
    gpu_total += t.gpu_ms;
    cpu_total += t.cpu_ms;
  }
  std::cout << absl::StrFormat("MobileNetV2 %s: %d operators alone, medians of %d runs\n", tag,
                               timings.size(), runs);
  std::cout << absl::StrFormat("  %-18s %5s %12s %12s\n", "operator", "count", "vulkan ms",
                               "cpu ms");
  for (const auto& [name, t] : by_type) {
    std::cout << absl::StrFormat("  %-18s %5d %12.2f %12.2f\n", name, counts[name], t.gpu_ms,
                                 t.cpu_ms);
  }
  std::cout << absl::StrFormat("  %-18s %5d %12.2f %12.2f\n", "total", timings.size(), gpu_total,
                               cpu_total);
  std::sort(timings.begin(), timings.end(),
            [](const Timing& a, const Timing& b) { return a.gpu_ms > b.gpu_ms; });
  std::cout << "  slowest on vulkan:\n";
  for (size_t i = 0; i < std::min(slowest, timings.size()); ++i) {
    std::cout << absl::StrFormat("    %-18s %-22s %9.2f ms (cpu %.2f ms)\n", timings[i].op,
                                 timings[i].shape, timings[i].gpu_ms, timings[i].cpu_ms);
  }
  return 0;
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) {
  int runs = 3;
  std::string tag = "int8";
  std::string only;
  bool in_graph = false;
  inferd::vulkan::GraphProgramOptions options;
  size_t slowest = 12;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--graph" &&
               (std::string(argv[i + 1]) == "int8" || std::string(argv[i + 1]) == "fp32")) {
      tag = argv[i + 1];
    } else if (flag == "--op") {
      only = argv[i + 1];
    } else if (flag == "--in-graph") {
      in_graph = std::string(argv[i + 1]) != "0";
    } else if (flag == "--int64") {
      options.use_int64 = std::string(argv[i + 1]) != "0";
    } else if (flag == "--tiled-conv") {
      options.tiled_pointwise_convolution =
          std::string(argv[i + 1]) != "0"
              ? inferd::vulkan::GraphProgramOptions::TiledPointwiseConvolution::kAlways
              : inferd::vulkan::GraphProgramOptions::TiledPointwiseConvolution::kOff;
    } else if (flag == "--slowest") {
      slowest = static_cast<size_t>(std::max(0, std::atoi(argv[i + 1])));
    } else {
      std::cerr << "usage: inferd_vulkan_operator_profile [--runs N] [--graph int8|fp32] [--op "
                   "NAME] [--in-graph 1] [--int64 0|1] [--tiled-conv 0|1] [--slowest N]\n";
      return 2;
    }
  }
  auto device = inferd::vulkan::VulkanContext::OpenDevice(std::nullopt);
  if (!device.ok()) {
    std::cerr << device.status() << "\n";
    return 1;
  }
  std::cout << "device: " << (*device)->info().name << "\n";
  if (in_graph) return inferd::bench::InGraphProfile(tag, runs, *device, options, slowest);
  return inferd::bench::Profile(tag, only, runs, *device, options, slowest);
}
