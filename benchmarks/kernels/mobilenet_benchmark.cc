// MobileNetV2-shaped INT8 and FP32 graphs (tools/build_mobilenet.py) run through the real CPU
// GraphExecutor with the optimised kernels and with the reference kernels, and through XNNPACK on
// the same weights and quantisation, interleaved in one process; prints medians, ratios and a
// per-operator profile of the optimised run.
//
//   inferd_mobilenet_benchmark [--model-dir DIR] [--runs N] [--reference-runs N] [--profile-runs N]
//                              [--threads N (default 2)] [--check-xnnpack 1]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernels/optimized/cpu_features.h"
#include "backends/cpu/kernels/optimized/rescale_kernels.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "benchmarks/kernels/benchmark_timing.h"
#include "benchmarks/kernels/op_profile.h"
#include "engine/graph/tosa_reader.h"
#ifdef INFERD_HAVE_XNNPACK
#include "benchmarks/kernels/xnnpack_network.h"
#endif

namespace inferd::bench {
namespace {

namespace opt = ::inferd::cpu::kernels::optimized;

struct Options {
  std::string model_dir = INFERD_MOBILENET_DIR;
  int runs = 15;
  int reference_runs = 3;
  int profile_runs = 5;
  int threads = 2;             // besides 1: the second thread count ours and XNNPACK run with
  bool check_xnnpack = false;  // print the first operators where XNNPACK and the kernels diverge
};

absl::Status Benchmark(const Options& options, const std::string& tag) {
  const std::string path = options.model_dir + "/mobilenet_v2_" + tag + ".tosa";
  absl::StatusOr<std::shared_ptr<const graph::Graph>> loaded = graph::LoadTosaFile(path);
  if (!loaded.ok()) return loaded.status();
  const graph::Graph& g = **loaded;
  const graph::TensorId in_id = g.main_block().inputs[0];
  const graph::TensorId out_id = g.main_block().outputs[0];

  opt::SetOptimizedKernelsEnabled(true);
  auto optimized = cpu::GraphExecutor::Create(*loaded);
  if (!optimized.ok()) return optimized.status();
  auto optimized_n =
      cpu::GraphExecutor::Create(*loaded, cpu::GraphExecutorOptions{.threads = options.threads});
  if (!optimized_n.ok()) return optimized_n.status();
  opt::SetOptimizedKernelsEnabled(false);
  auto reference = cpu::GraphExecutor::Create(*loaded);
  opt::SetOptimizedKernelsEnabled(true);
  if (!reference.ok()) return reference.status();

  const size_t in_bytes = (*optimized)->StorageBytes(in_id);
  const size_t out_bytes = (*optimized)->StorageBytes(out_id);
  std::vector<uint8_t> input(in_bytes);
  std::mt19937 rng(7);
  if (tag == "int8") {
    for (auto& b : input) b = static_cast<uint8_t>(rng());
  } else {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (size_t i = 0; i < in_bytes / 4; ++i) {
      const float v = dist(rng);
      std::memcpy(input.data() + 4 * i, &v, 4);
    }
  }
  std::vector<uint8_t> out_opt(out_bytes), out_opt_n(out_bytes), out_ref(out_bytes),
      out_xnn(out_bytes);
  const std::span<const uint8_t> in_span[] = {input};
  const std::span<uint8_t> opt_span[] = {out_opt};
  const std::span<uint8_t> opt_n_span[] = {out_opt_n};
  const std::span<uint8_t> ref_span[] = {out_ref};

  std::vector<Subject> subjects =
      ExecutorSubjects([&] { return (*reference)->Run(in_span, ref_span); },
                       [&] { return (*optimized)->Run(in_span, opt_span); },
                       [&] { return (*optimized_n)->Run(in_span, opt_n_span); }, options.runs,
                       options.reference_runs, options.threads);
#ifdef INFERD_HAVE_XNNPACK
  std::vector<std::unique_ptr<XnnpackNetwork>> xnn;
  for (int threads : {1, options.threads}) {
    auto network = CreateXnnpackNetwork(g, threads);
    if (!network.ok()) return network.status();
    xnn.push_back(*std::move(network));
    XnnpackNetwork* net = xnn.back().get();
    subjects.push_back(XnnpackSubject(
        tag == "int8" ? "qc8/qs8" : "f32", threads,
        [net, &input, &out_xnn] { return net->Run(input, out_xnn); }, options.runs));
  }
#endif

  // Warm-up (first-touch of arenas and scratch), then the outputs are compared.
  WarmUp(subjects);
  std::cout << "== MobileNetV2-shaped " << tag << " (1x224x224x3, "
            << g.main_block().operators.size() << " operators incl. constants)\n";
  if (tag == "int8") {
    std::cout << "  optimised output == reference output: "
              << (out_opt == out_ref ? "yes (bit-exact)" : "NO") << "\n";
    std::cout << "  " << options.threads << "-thread output == 1-thread output: "
              << (out_opt_n == out_opt ? "yes (bit-exact)" : "NO") << "\n";
#ifdef INFERD_HAVE_XNNPACK
    int max_lsb = 0;
    size_t differing = 0;
    for (size_t i = 0; i < out_bytes; ++i) {
      const int diff = std::abs(static_cast<int8_t>(out_xnn[i]) - static_cast<int8_t>(out_ref[i]));
      max_lsb = std::max(max_lsb, diff);
      differing += diff != 0;
    }
    std::cout << absl::StrFormat(
        "  XNNPACK vs reference (different requantisation rounding): %zu of %zu logits differ, "
        "by at most %d\n",
        differing, out_bytes, max_lsb);
#endif
  } else {
    double max_diff = 0, max_xnn = 0, max_abs = 0;
    for (size_t i = 0; i < out_bytes / 4; ++i) {
      float a, b, c;
      std::memcpy(&a, out_opt.data() + 4 * i, 4);
      std::memcpy(&b, out_ref.data() + 4 * i, 4);
      std::memcpy(&c, out_xnn.data() + 4 * i, 4);
      max_diff = std::max(max_diff, static_cast<double>(std::fabs(a - b)));
      max_xnn = std::max(max_xnn, static_cast<double>(std::fabs(c - b)));
      max_abs = std::max(max_abs, static_cast<double>(std::fabs(b)));
    }
    std::cout << absl::StrFormat(
        "  max |optimised - reference| = %.3g, max |XNNPACK - reference| = %.3g (max |output| "
        "%.3g)\n",
        max_diff, max_xnn, max_abs);
    std::cout << "  " << options.threads << "-thread output == 1-thread output: "
              << (out_opt_n == out_opt ? "yes (bit-exact)" : "NO") << "\n";
  }

#ifdef INFERD_HAVE_XNNPACK
  if (options.check_xnnpack && !xnn.empty()) {
    auto tensors = CaptureTensors(g, input);
    if (!tensors.ok()) return tensors.status();
    int reported = 0;
    for (const graph::Operator& op : g.main_block().operators) {
      if (op.outputs.empty() || op.op == graph::Op::kConst || op.op == graph::Op::kConstShape) {
        continue;
      }
      const uint8_t* theirs = xnn.back()->TensorBytes(op.outputs[0]);
      const auto& ours = (*tensors)[op.outputs[0]];
      if (theirs == nullptr) continue;
      const bool is_int8 = g.tensor(op.outputs[0]).dtype == graph::DType::kInt8;
      if (!is_int8 && g.tensor(op.outputs[0]).dtype != graph::DType::kFp32) continue;
      double diff = 0;
      for (size_t i = 0; i < (is_int8 ? ours.size() : ours.size() / 4); ++i) {
        double a, b;
        if (is_int8) {
          a = static_cast<int8_t>(ours[i]);
          b = static_cast<int8_t>(theirs[i]);
        } else {
          float x, y;
          std::memcpy(&x, ours.data() + 4 * i, 4);
          std::memcpy(&y, theirs + 4 * i, 4);
          a = x;
          b = y;
        }
        diff = std::max(diff, std::fabs(a - b));
      }
      std::cout << absl::StrFormat("  check %-18s %-28s max diff %.3g\n",
                                   std::string(graph::OpName(op.op)), g.tensor(op.outputs[0]).name,
                                   diff);
      if (diff > (is_int8 ? 2 : 1e-3) && ++reported >= 3) break;
    }
  }
#endif

  RunInterleaved(subjects);
#ifdef INFERD_HAVE_XNNPACK
  PrintResults(subjects, options.threads, true);
#else
  PrintResults(subjects, options.threads, false);
#endif

  auto profile = ProfileOperators(g, input, options.profile_runs);
  if (!profile.ok()) return profile.status();
  std::cout << "  per-operator profile, optimised kernels (median of " << options.profile_runs
            << " runs):\n";
  PrintProfile(*profile, 8, std::cout);
  std::cout << std::endl;
  return absl::OkStatus();
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) {
  inferd::bench::Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--model-dir") {
      options.model_dir = value;
    } else if (flag == "--runs") {
      options.runs = std::stoi(value);
    } else if (flag == "--reference-runs") {
      options.reference_runs = std::stoi(value);
    } else if (flag == "--check-xnnpack") {
      options.check_xnnpack = value == "1" || value == "true";
    } else if (flag == "--threads") {
      options.threads = std::stoi(value);
      if (options.threads < 1) {
        std::cerr << "--threads must be >= 1\n";
        return 2;
      }
    } else if (flag == "--profile-runs") {
      options.profile_runs = std::stoi(value);
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  std::cout << "instruction-set path: " << inferd::bench::InstructionSetPath() << "\n\n";
  for (const char* tag : {"int8", "fp32"}) {
    if (absl::Status status = inferd::bench::Benchmark(options, tag); !status.ok()) {
      std::cerr << tag << ": " << status << "\n";
      return 1;
    }
  }
  return 0;
}
