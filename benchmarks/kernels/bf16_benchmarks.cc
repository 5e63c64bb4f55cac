// Google Benchmark of BF16 CONV2D, DEPTHWISE_CONV2D and MATMUL (fp32 accumulation) through the CPU
// backend's executor, one-operator graphs on MobileNetV2 / transformer shapes: the reference
// kernels against the optimised path (operands widened to fp32 for the FP32 tile kernels). Both
// executors are bound before timing starts. Run with --benchmark_repetitions=5
// --benchmark_report_aggregates_only=true for medians.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "engine/graph/graph.h"

namespace inferd::bench {
namespace {

namespace opt = ::inferd::cpu::kernels::optimized;
using graph::DType;
using graph::TensorId;

// A one-block graph under construction.
struct OneOp {
  graph::Graph g;
  std::mt19937 rng{42};

  OneOp() {
    g.regions.push_back(graph::Region{"main", {0}});
    g.blocks.emplace_back();
    g.blocks[0].name = "main";
  }

  TensorId Tensor(DType dtype, Shape shape, std::vector<uint8_t> data = {}) {
    graph::Tensor t;
    t.name = "t" + std::to_string(g.tensors.size());
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = std::move(data);
    const auto id = static_cast<TensorId>(g.tensors.size());
    g.tensors.push_back(std::move(t));
    g.blocks[0].tensors.push_back(id);
    return id;
  }

  // BF16 values in [-1, 1), as bit patterns.
  std::vector<uint8_t> Bf16Data(int64_t count) {
    std::vector<uint8_t> bytes(static_cast<size_t>(count) * 2);
    std::uniform_real_distribution<float> value(-1, 1);
    for (int64_t i = 0; i < count; ++i) {
      const float v = value(rng);
      uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      const auto top = static_cast<uint16_t>(bits >> 16);
      std::memcpy(&bytes[2 * i], &top, 2);
    }
    return bytes;
  }

  TensorId Const(DType dtype, Shape shape, std::vector<uint8_t> data) {
    const TensorId id = Tensor(dtype, std::move(shape), std::move(data));
    Op(graph::Op::kConst, {}, {}, {id});
    return id;
  }

  TensorId Input(DType dtype, Shape shape) {
    const TensorId id = Tensor(dtype, std::move(shape));
    g.blocks[0].inputs.push_back(id);
    return id;
  }

  void Op(graph::Op op, graph::Attribute attribute, std::vector<TensorId> inputs,
          std::vector<TensorId> outputs) {
    graph::Operator o;
    o.op = op;
    o.attribute = std::move(attribute);
    o.inputs = std::move(inputs);
    o.outputs = std::move(outputs);
    g.blocks[0].operators.push_back(std::move(o));
  }
};

std::shared_ptr<const graph::Graph> Conv2dGraph(int hw, int cin, int cout, int kernel) {
  OneOp b;
  const TensorId in = b.Input(DType::kBf16, {1, hw, hw, cin});
  const TensorId w =
      b.Const(DType::kBf16, {cout, kernel, kernel, cin}, b.Bf16Data(cout * kernel * kernel * cin));
  const TensorId bias = b.Const(DType::kBf16, {cout}, b.Bf16Data(cout));
  const TensorId zp = b.Const(DType::kBf16, {1}, {0, 0});
  const TensorId out = b.Tensor(DType::kBf16, {1, hw, hw, cout});
  b.g.blocks[0].outputs.push_back(out);
  const int pad = kernel / 2;
  b.Op(graph::Op::kConv2d,
       graph::Conv2dAttr{{pad, pad, pad, pad}, {1, 1}, {1, 1}, false, DType::kFp32},
       {in, w, bias, zp, zp}, {out});
  return std::make_shared<const graph::Graph>(std::move(b.g));
}

std::shared_ptr<const graph::Graph> DepthwiseGraph(int hw, int channels) {
  OneOp b;
  const TensorId in = b.Input(DType::kBf16, {1, hw, hw, channels});
  const TensorId w = b.Const(DType::kBf16, {3, 3, channels, 1}, b.Bf16Data(9 * channels));
  const TensorId bias = b.Const(DType::kBf16, {channels}, b.Bf16Data(channels));
  const TensorId zp = b.Const(DType::kBf16, {1}, {0, 0});
  const TensorId out = b.Tensor(DType::kBf16, {1, hw, hw, channels});
  b.g.blocks[0].outputs.push_back(out);
  b.Op(graph::Op::kDepthwiseConv2d,
       graph::DepthwiseConv2dAttr{{1, 1, 1, 1}, {1, 1}, {1, 1}, false, DType::kFp32},
       {in, w, bias, zp, zp}, {out});
  return std::make_shared<const graph::Graph>(std::move(b.g));
}

std::shared_ptr<const graph::Graph> MatmulGraph(int rows, int depth, int columns) {
  OneOp b;
  const TensorId a = b.Input(DType::kBf16, {1, rows, depth});
  const TensorId w = b.Const(DType::kBf16, {1, depth, columns}, b.Bf16Data(depth * columns));
  const TensorId zp = b.Const(DType::kBf16, {1}, {0, 0});
  const TensorId out = b.Tensor(DType::kFp32, {1, rows, columns});
  b.g.blocks[0].outputs.push_back(out);
  b.Op(graph::Op::kMatMul, {}, {a, w, zp, zp}, {out});
  return std::make_shared<const graph::Graph>(std::move(b.g));
}

// Times executor runs of `graph` with the optimised kernels on or off at bind time.
void RunGraph(benchmark::State& state, const std::shared_ptr<const graph::Graph>& graph,
              bool optimized) {
  if (optimized && opt::SelectTileKernels() == nullptr) {
    state.SkipWithError("no optimised kernels on this CPU");
    return;
  }
  opt::SetOptimizedKernelsEnabled(optimized);
  auto executor = cpu::GraphExecutor::Create(graph);
  opt::SetOptimizedKernelsEnabled(true);
  if (!executor.ok()) {
    state.SkipWithError(std::string(executor.status().message()).c_str());
    return;
  }
  const graph::Block& main = graph->main_block();
  OneOp data;
  std::vector<uint8_t> input = data.Bf16Data((*executor)->StorageBytes(main.inputs[0]) / 2);
  std::vector<uint8_t> output((*executor)->StorageBytes(main.outputs[0]));
  std::vector<std::span<const uint8_t>> in{input};
  std::vector<std::span<uint8_t>> out{output};
  for (auto _ : state) {
    if (!(*executor)->Run(in, out).ok()) state.SkipWithError("run failed");
    benchmark::DoNotOptimize(output.data());
  }
}

template <bool kOptimized>
void BM_Conv2dBf16(benchmark::State& state) {
  RunGraph(state,
           Conv2dGraph(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                       static_cast<int>(state.range(2)), static_cast<int>(state.range(3))),
           kOptimized);
}

template <bool kOptimized>
void BM_DepthwiseBf16(benchmark::State& state) {
  RunGraph(state,
           DepthwiseGraph(static_cast<int>(state.range(0)), static_cast<int>(state.range(1))),
           kOptimized);
}

template <bool kOptimized>
void BM_MatmulBf16(benchmark::State& state) {
  RunGraph(state,
           MatmulGraph(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                       static_cast<int>(state.range(2))),
           kOptimized);
}

// (hw, cin, cout, kernel): a MobileNetV2 pointwise expansion and a 3x3 convolution.
void ConvShapes(benchmark::internal::Benchmark* b) {
  b->Args({28, 32, 192, 1})->Args({28, 32, 32, 3});
}
// (hw, channels): a MobileNetV2 depthwise layer.
void DepthwiseShapes(benchmark::internal::Benchmark* b) { b->Args({28, 192}); }
// (rows, depth, columns): a transformer projection of 128 tokens.
void MatmulShapes(benchmark::internal::Benchmark* b) { b->Args({128, 256, 256}); }

BENCHMARK(BM_Conv2dBf16<false>)->Name("Conv2dBf16/reference")->Apply(ConvShapes);
BENCHMARK(BM_Conv2dBf16<true>)->Name("Conv2dBf16/optimized")->Apply(ConvShapes);
BENCHMARK(BM_DepthwiseBf16<false>)->Name("DepthwiseBf16/reference")->Apply(DepthwiseShapes);
BENCHMARK(BM_DepthwiseBf16<true>)->Name("DepthwiseBf16/optimized")->Apply(DepthwiseShapes);
BENCHMARK(BM_MatmulBf16<false>)->Name("MatmulBf16/reference")->Apply(MatmulShapes);
BENCHMARK(BM_MatmulBf16<true>)->Name("MatmulBf16/optimized")->Apply(MatmulShapes);

}  // namespace
}  // namespace inferd::bench

BENCHMARK_MAIN();
