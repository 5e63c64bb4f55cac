// A transformer encoder block (transformer_block_graph.h: layer norms and softmax decomposed as
// ExecuTorch's Arm backend lowers them, MATMUL projections, 4-head attention, ReLU FFN) run through
// the real CPU GraphExecutor with the optimised and the reference kernels, and through XNNPACK's
// equivalent operators on the same weights, interleaved in one process; prints medians, ratios
// and a per-operator profile of the optimised run. FP32.
//
//   inferd_transformer_benchmark [--runs N] [--reference-runs N] [--profile-runs N]
//                                [--threads N (default 2)] [--sequence N (default 64)]
//                                [--back-to-back 1 (also time the 1-thread subjects alone)]
//
// Exits non-zero when the optimised kernels, the N-thread run or XNNPACK disagree with the
// reference kernels beyond the stated tolerance, so that a short run serves as a smoke test.
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
#include "absl/status/statusor.h"
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
  int threads = 2;            // besides 1: the second thread count ours and XNNPACK run with
  bool back_to_back = false;  // also time the 1-thread subjects alone, with warm caches
};

// FP32 outputs agree when every element is within this of the reference, relative to the
// output's largest magnitude: sums over up to 1024 terms in different orders, and EXP / RSQRT /
// softmax implementations that differ in the last bits. INT8: ours bit-exact with the reference
// kernels, XNNPACK within kMaxInt8Units (it requantises in fp32 with round-to-nearest-even, TOSA
// in 64-bit integers rounding half up, once per layer).
constexpr double kRelativeTolerance = 1e-4;
constexpr int kMaxInt8Units = 2;

// One run of an XNNPACK network: the graph's input bytes to its output bytes.
using XnnpackRun = std::function<absl::Status(std::span<const uint8_t>, std::span<uint8_t>)>;
using XnnpackFactory = std::function<absl::StatusOr<XnnpackRun>(int threads)>;

template <typename T>
std::vector<T> Values(const std::vector<uint8_t>& bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

template <typename T>
double MaxAbsDiff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  const std::vector<T> x = Values<T>(a), y = Values<T>(b);
  double diff = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(x[i]) - static_cast<double>(y[i])));
  }
  return diff;
}

struct Outputs {
  std::vector<uint8_t> reference, optimised, optimised_threaded, xnnpack;
  bool with_xnnpack = false;
};

bool CompareFp32(const Outputs& out, int threads) {
  double max_abs = 0;
  for (float v : Values<float>(out.reference)) {
    max_abs = std::max(max_abs, static_cast<double>(std::fabs(v)));
  }
  const double tolerance = kRelativeTolerance * max_abs;
  const double opt_diff = MaxAbsDiff<float>(out.optimised, out.reference);
  const double opt_n_diff = MaxAbsDiff<float>(out.optimised_threaded, out.reference);
  bool agree = opt_diff <= tolerance && opt_n_diff <= tolerance;
  std::cout << absl::StrFormat("  max |optimised - reference| = %.3g, %d threads %.3g", opt_diff,
                               threads, opt_n_diff);
  if (out.with_xnnpack) {
    const double xnn_diff = MaxAbsDiff<float>(out.xnnpack, out.reference);
    agree = agree && xnn_diff <= tolerance;
    std::cout << absl::StrFormat(", max |XNNPACK - reference| = %.3g", xnn_diff);
  }
  std::cout << absl::StrFormat(" (max |output| %.3g, tolerance %.3g: %s)\n", max_abs, tolerance,
                               agree ? "agree" : "DISAGREE");
  return agree;
}

bool CompareInt8(const Outputs& out, int threads) {
  bool agree = out.optimised == out.reference && out.optimised_threaded == out.reference;
  std::cout << "  optimised output == reference output: "
            << (out.optimised == out.reference ? "yes (bit-exact)" : "NO") << "; " << threads
            << " threads: " << (out.optimised_threaded == out.reference ? "yes" : "NO") << "\n";
  if (out.with_xnnpack) {
    const std::vector<int8_t> x = Values<int8_t>(out.xnnpack), r = Values<int8_t>(out.reference);
    int max_units = 0;
    size_t differing = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const int diff = std::abs(x[i] - r[i]);
      max_units = std::max(max_units, diff);
      differing += diff != 0;
    }
    agree = agree && max_units <= kMaxInt8Units;
    std::cout << absl::StrFormat(
        "  XNNPACK vs reference (fp32 requantisation): %zu of %zu outputs differ, by at most %d "
        "(allowed %d)\n",
        differing, x.size(), max_units, kMaxInt8Units);
  }
  return agree;
}

// Runs `g` on the executor (reference, optimised at 1 and N threads) and XNNPACK (1 and N
// threads) interleaved, compares the outputs with `compare`, prints the timings and a profile.
absl::Status Benchmark(const Options& options, const std::string& title,
                       const std::shared_ptr<const graph::Graph>& g,
                       const std::vector<uint8_t>& input, const XnnpackFactory& xnnpack,
                       const std::string& xnnpack_name,
                       const std::function<bool(const Outputs&, int)>& compare,
                       bool& outputs_agree) {
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

  const size_t out_bytes = (*optimized)->StorageBytes(g->main_block().outputs[0]);
  Outputs out;
  for (auto* buffer : {&out.reference, &out.optimised, &out.optimised_threaded, &out.xnnpack}) {
    buffer->resize(out_bytes);
  }
  const std::span<const uint8_t> in_span[] = {input};
  const std::span<uint8_t> opt_span[] = {out.optimised};
  const std::span<uint8_t> opt_n_span[] = {out.optimised_threaded};
  const std::span<uint8_t> ref_span[] = {out.reference};
  std::vector<Subject> subjects =
      ExecutorSubjects([&] { return (*reference)->Run(in_span, ref_span); },
                       [&] { return (*optimized)->Run(in_span, opt_span); },
                       [&] { return (*optimized_n)->Run(in_span, opt_n_span); }, options.runs,
                       options.reference_runs, options.threads);
  if (xnnpack) {
    for (int threads : {1, options.threads}) {
      absl::StatusOr<XnnpackRun> run = xnnpack(threads);
      if (!run.ok()) return run.status();
      subjects.push_back(XnnpackSubject(
          xnnpack_name, threads,
          [run = *std::move(run), &input, &out] { return run(input, out.xnnpack); }, options.runs));
    }
    out.with_xnnpack = true;
  }

  // Warm-up (first touch of arenas and scratch), then the outputs are compared.
  WarmUp(subjects);
  int operators = 0;
  for (const graph::Operator& op : g->main_block().operators) {
    operators += op.op != graph::Op::kConst && op.op != graph::Op::kConstShape;
  }
  std::cout << absl::StrFormat("== %s (%d operators besides constants)\n", title, operators);
  outputs_agree = compare(out, options.threads);

  RunInterleaved(subjects);
  PrintResults(subjects, options.threads, out.with_xnnpack);
  if (options.back_to_back) RunBackToBack(subjects, out.with_xnnpack);

  auto profile = ProfileOperators(*g, input, options.profile_runs);
  if (!profile.ok()) return profile.status();
  std::cout << "  per-operator profile, optimised kernels (median of " << options.profile_runs
            << " runs):\n";
  PrintProfile(*profile, 8, std::cout);
  std::cout << std::endl;
  return absl::OkStatus();
}

absl::Status BenchmarkFp32Block(const Options& options, bool& outputs_agree) {
  const TransformerDims& dims = options.dims;
  const TransformerWeights weights = RandomTransformerWeights(dims);
  std::vector<float> x(static_cast<size_t>(dims.sequence * dims.model));
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : x) v = dist(rng);
  std::vector<uint8_t> input(x.size() * sizeof(float));
  std::memcpy(input.data(), x.data(), input.size());
  XnnpackFactory xnnpack;
#ifdef INFERD_HAVE_XNNPACK
  xnnpack = [&](int threads) -> absl::StatusOr<XnnpackRun> {
    auto block = CreateXnnpackTransformerBlock(dims, weights, threads);
    if (!block.ok()) return block.status();
    return [net = std::shared_ptr<XnnpackTransformerBlock>(*std::move(block))](
               std::span<const uint8_t> in, std::span<uint8_t> out) {
      return net->Run({reinterpret_cast<const float*>(in.data()), in.size() / sizeof(float)},
                      {reinterpret_cast<float*>(out.data()), out.size() / sizeof(float)});
    };
  };
#endif
  return Benchmark(options,
                   absl::StrFormat("transformer encoder block fp32 (sequence %d, model %d, %d "
                                   "heads, FFN %d)",
                                   dims.sequence, dims.model, dims.heads, dims.ffn),
                   BuildTransformerBlockGraph(dims, weights), input, xnnpack, "f32", CompareFp32,
                   outputs_agree);
}

absl::Status BenchmarkInt8Ffn(const Options& options, bool& outputs_agree) {
  const TransformerDims& dims = options.dims;
  const Int8FfnWeights weights = RandomInt8FfnWeights(dims);
  std::vector<uint8_t> input(static_cast<size_t>(dims.sequence * dims.model));
  std::mt19937 rng(7);
  for (uint8_t& v : input) v = static_cast<uint8_t>(rng());
  XnnpackFactory xnnpack;
#ifdef INFERD_HAVE_XNNPACK
  xnnpack = [&](int threads) -> absl::StatusOr<XnnpackRun> {
    auto ffn = CreateXnnpackInt8Ffn(dims, weights, threads);
    if (!ffn.ok()) return ffn.status();
    return [net = std::shared_ptr<XnnpackInt8Ffn>(*std::move(ffn))](std::span<const uint8_t> in,
                                                                    std::span<uint8_t> out) {
      return net->Run({reinterpret_cast<const int8_t*>(in.data()), in.size()},
                      {reinterpret_cast<int8_t*>(out.data()), out.size()});
    };
  };
#endif
  return Benchmark(options,
                   absl::StrFormat("transformer feed-forward part int8 (sequence %d: MATMUL %dx%d "
                                   "+ RESCALE + ReLU, MATMUL %dx%d + RESCALE)",
                                   dims.sequence, dims.model, dims.ffn, dims.ffn, dims.model),
                   BuildInt8FfnGraph(dims, weights), input, xnnpack, "qs8", CompareInt8,
                   outputs_agree);
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
    } else if (flag == "--back-to-back") {
      options.back_to_back = value != 0;
      continue;
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
  bool all_agree = true;
  for (auto* benchmark : {inferd::bench::BenchmarkInt8Ffn, inferd::bench::BenchmarkFp32Block}) {
    bool outputs_agree = false;
    if (absl::Status status = benchmark(options, outputs_agree); !status.ok()) {
      std::cerr << status << "\n";
      return 1;
    }
    all_agree = all_agree && outputs_agree;
  }
  return all_agree ? 0 : 1;
}
