// A transformer encoder block (transformer_block_graph.h: layer norms and softmax decomposed as
// ExecuTorch's Arm backend lowers them, MATMUL projections, 4-head attention, ReLU FFN) run through
// the real CPU GraphExecutor with the optimised and the reference kernels, and through XNNPACK's
// equivalent operators on the same weights, interleaved in one process; prints medians, ratios
// and a per-operator profile of the optimised run. FP32.
//
//   inferd_transformer_benchmark [--runs N] [--reference-runs N] [--profile-runs N]
//                                [--threads N (default 2)] [--sequence N (default 64)]
//
// Exits non-zero when the optimised kernels, the N-thread run or XNNPACK disagree with the
// reference kernels beyond the stated tolerance, so that a short run serves as a smoke test.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "benchmarks/kernels/benchmark_timing.h"
#include "benchmarks/kernels/op_profile.h"
#include "benchmarks/kernels/transformer_block_graph.h"
#ifdef INFERD_HAVE_XNNPACK
#include "benchmarks/kernels/xnnpack_transformer_block.h"
#endif

namespace inferd::bench {
namespace {

namespace opt = ::inferd::cpu::kernels::optimized;

struct Options {
  TransformerDims dims;
  int runs = 51;
  int reference_runs = 5;
  int profile_runs = 11;
  int threads = 2;  // besides 1: the second thread count ours and XNNPACK run with
};

// Outputs agree when every element is within this of the reference, relative to the output's
// largest magnitude: FP32 sums over up to 1024 terms in different orders, and EXP / RSQRT / softmax
// implementations that differ in the last bits.
constexpr double kRelativeTolerance = 1e-4;

std::vector<float> AsFloats(const std::vector<uint8_t>& bytes) {
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

double MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::fabs(double(a[i]) - b[i]));
  return diff;
}

absl::Status Benchmark(const Options& options, bool& outputs_agree) {
  const TransformerDims& dims = options.dims;
  const TransformerWeights weights = RandomTransformerWeights(dims);
  const std::shared_ptr<const graph::Graph> g = BuildTransformerBlockGraph(dims, weights);

  opt::SetOptimizedKernelsEnabled(true);
  auto optimized = cpu::GraphExecutor::Create(g);
  if (!optimized.ok()) return optimized.status();
  cpu::GraphExecutorOptions threaded;
  threaded.threads = options.threads;
  auto optimized_n = cpu::GraphExecutor::Create(g, threaded);
  if (!optimized_n.ok()) return optimized_n.status();
  opt::SetOptimizedKernelsEnabled(false);
  auto reference = cpu::GraphExecutor::Create(g);
  opt::SetOptimizedKernelsEnabled(true);
  if (!reference.ok()) return reference.status();

  const size_t elements = static_cast<size_t>(dims.sequence * dims.model);
  std::vector<float> x(elements);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : x) v = dist(rng);
  std::vector<uint8_t> input(elements * sizeof(float));
  std::memcpy(input.data(), x.data(), input.size());
  std::vector<uint8_t> out_opt(input.size()), out_opt_n(input.size()), out_ref(input.size());
  std::vector<float> out_xnn(elements);
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
  std::vector<std::unique_ptr<XnnpackTransformerBlock>> xnn;
  for (int threads : {1, options.threads}) {
    auto block = CreateXnnpackTransformerBlock(dims, weights, threads);
    if (!block.ok()) return block.status();
    xnn.push_back(*std::move(block));
    XnnpackTransformerBlock* net = xnn.back().get();
    subjects.push_back(XnnpackSubject(
        "f32", threads, [net, &x, &out_xnn] { return net->Run(x, out_xnn); }, options.runs));
  }
  constexpr bool kWithXnnpack = true;
#else
  constexpr bool kWithXnnpack = false;
#endif

  // Warm-up (first touch of arenas and scratch), then the outputs are compared.
  WarmUp(subjects);
  int operators = 0;
  for (const graph::Operator& op : g->main_block().operators) {
    operators += op.op != graph::Op::kConst && op.op != graph::Op::kConstShape;
  }
  std::cout << absl::StrFormat(
      "== transformer encoder block fp32 (sequence %d, model %d, %d heads, FFN %d; %d operators "
      "besides constants)\n",
      dims.sequence, dims.model, dims.heads, dims.ffn, operators);
  const std::vector<float> ref = AsFloats(out_ref);
  double max_abs = 0;
  for (float v : ref) max_abs = std::max(max_abs, static_cast<double>(std::fabs(v)));
  const double tolerance = kRelativeTolerance * max_abs;
  const double opt_diff = MaxAbsDiff(AsFloats(out_opt), ref);
  const double opt_n_diff = MaxAbsDiff(AsFloats(out_opt_n), ref);
  outputs_agree = opt_diff <= tolerance && opt_n_diff <= tolerance;
  std::cout << absl::StrFormat("  max |optimised - reference| = %.3g, %d threads %.3g", opt_diff,
                               options.threads, opt_n_diff);
#ifdef INFERD_HAVE_XNNPACK
  const double xnn_diff = MaxAbsDiff(out_xnn, ref);
  outputs_agree = outputs_agree && xnn_diff <= tolerance;
  std::cout << absl::StrFormat(", max |XNNPACK - reference| = %.3g", xnn_diff);
#endif
  std::cout << absl::StrFormat(" (max |output| %.3g, tolerance %.3g: %s)\n", max_abs, tolerance,
                               outputs_agree ? "agree" : "DISAGREE");

  RunInterleaved(subjects);
  PrintResults(subjects, options.threads, kWithXnnpack);

  auto profile = ProfileOperators(*g, input, options.profile_runs);
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
    const int value = std::stoi(argv[i + 1]);
    if (flag == "--runs") {
      options.runs = value;
    } else if (flag == "--reference-runs") {
      options.reference_runs = value;
    } else if (flag == "--profile-runs") {
      options.profile_runs = value;
    } else if (flag == "--sequence") {
      options.dims.sequence = value;
    } else if (flag == "--threads") {
      options.threads = value;
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
    if (value < 1) {
      std::cerr << flag << " must be >= 1\n";
      return 2;
    }
  }
  std::cout << "instruction-set path: " << inferd::bench::InstructionSetPath() << "\n\n";
  bool outputs_agree = false;
  if (absl::Status status = inferd::bench::Benchmark(options, outputs_agree); !status.ok()) {
    std::cerr << "fp32: " << status << "\n";
    return 1;
  }
  return outputs_agree ? 0 : 1;
}
