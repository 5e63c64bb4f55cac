// RESCALE / CLAMP fused into the INT8 convolutions and MATMUL (backends/cpu/requantisation_fusion):
// which chains are fused and which are left alone, and that a fused graph's outputs equal the
// unfused reference kernels' bit for bit, for any kernel thread count.
#include "backends/cpu/requantisation_fusion.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernels/optimized/rescale_kernels.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "gtest/gtest.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Graph;
using graph::Op;
using graph::TensorId;
namespace opt = ::inferd::cpu::kernels::optimized;

template <typename T>
std::vector<uint8_t> Raw(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

class Builder {
 public:
  Builder() {
    g_.blocks.resize(1);
    g_.blocks[0].name = "main";
    g_.regions.push_back({"main", {0}});
  }

  TensorId Tensor(DType dtype, Shape shape) {
    graph::Tensor t;
    t.name = "t" + std::to_string(g_.tensors.size());
    t.dtype = dtype;
    t.shape = std::move(shape);
    g_.tensors.push_back(std::move(t));
    const auto id = static_cast<TensorId>(g_.tensors.size() - 1);
    g_.blocks[0].tensors.push_back(id);
    return id;
  }

  template <typename T>
  TensorId Const(DType dtype, Shape shape, const std::vector<T>& values) {
    const TensorId id = Tensor(dtype, std::move(shape));
    g_.tensors[id].data = Raw(values);
    Add(Op::kConst, {}, {id});
    return id;
  }

  TensorId Input(DType dtype, Shape shape) {
    const TensorId id = Tensor(dtype, std::move(shape));
    g_.blocks[0].inputs.push_back(id);
    return id;
  }

  void Output(TensorId id) { g_.blocks[0].outputs.push_back(id); }

  void Add(Op op, std::vector<TensorId> in, std::vector<TensorId> out,
           graph::Attribute attribute = {}) {
    graph::Operator o;
    o.op = op;
    o.inputs = std::move(in);
    o.outputs = std::move(out);
    o.attribute = std::move(attribute);
    g_.blocks[0].operators.push_back(std::move(o));
  }

  std::mt19937& rng() { return rng_; }

  std::vector<float> RandomFloats(size_t count) {
    std::vector<float> v(count);
    for (auto& x : v) x = std::uniform_real_distribution<float>(-1.0f, 1.0f)(rng_);
    return v;
  }

  TensorId FloatZero() { return Const(DType::kFp32, {1}, std::vector<float>{0.0f}); }

  std::vector<int8_t> RandomInt8(size_t count) {
    std::vector<int8_t> v(count);
    for (auto& x : v) x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng_));
    return v;
  }

  // An INT32 -> INT8 RESCALE of `acc` (last dimension `channels`).
  TensorId Rescale(TensorId acc, int64_t channels, bool per_channel, int8_t output_zp,
                   int8_t shift_value = 0) {
    const int64_t n = per_channel ? channels : 1;
    std::vector<int32_t> multiplier(n);
    std::vector<int8_t> shift(n);
    for (int64_t c = 0; c < n; ++c) {
      multiplier[c] = std::uniform_int_distribution<int32_t>(1 << 30, INT32_MAX)(rng_);
      shift[c] = shift_value != 0
                     ? shift_value
                     : static_cast<int8_t>(std::uniform_int_distribution<int>(38, 46)(rng_));
    }
    const TensorId m = Const(DType::kInt32, {n}, multiplier);
    const TensorId s = Const(DType::kInt8, {n}, shift);
    const TensorId izp = Const(DType::kInt32, {1}, std::vector<int32_t>{0});
    const TensorId ozp = Const(DType::kInt8, {1}, std::vector<int8_t>{output_zp});
    Shape shape = g_.tensors[acc].shape;
    const TensorId out = Tensor(DType::kInt8, shape);
    graph::RescaleAttr attr;
    attr.scale32 = true;
    attr.rounding_mode = graph::RoundingMode::kDoubleRound;
    attr.per_channel = per_channel;
    Add(Op::kRescale, {acc, m, s, izp, ozp}, {out}, attr);
    return out;
  }

  TensorId Clamp(TensorId x, int8_t lo, int8_t hi) {
    graph::ClampAttr attr;
    attr.min_val = {static_cast<uint8_t>(lo)};
    attr.max_val = {static_cast<uint8_t>(hi)};
    const TensorId out = Tensor(DType::kInt8, g_.tensors[x].shape);
    Add(Op::kClamp, {x}, {out}, attr);
    return out;
  }

  // 3x3 CONV2D, padding 1, stride 1, `oc` output channels, INT32 accumulator.
  TensorId Conv(TensorId x, int64_t oc) {
    const Shape in = g_.tensors[x].shape;
    const TensorId w = Const(DType::kInt8, {oc, 3, 3, in[3]}, RandomInt8(oc * 9 * in[3]));
    std::vector<int32_t> bias(oc);
    for (auto& b : bias) b = std::uniform_int_distribution<int32_t>(-5000, 5000)(rng_);
    const TensorId b = Const(DType::kInt32, {oc}, bias);
    const TensorId izp = Const(DType::kInt8, {1}, std::vector<int8_t>{-3});
    const TensorId wzp = Const(DType::kInt8, {1}, std::vector<int8_t>{0});
    const TensorId acc = Tensor(DType::kInt32, {in[0], in[1], in[2], oc});
    graph::Conv2dAttr attr;
    attr.pad = {1, 1, 1, 1};
    attr.stride = {1, 1};
    attr.dilation = {1, 1};
    attr.acc_type = DType::kInt32;
    Add(Op::kConv2d, {x, w, b, izp, wzp}, {acc}, attr);
    return acc;
  }

  // 3x3 DEPTHWISE_CONV2D, padding 1, stride 2.
  TensorId Depthwise(TensorId x) {
    const Shape in = g_.tensors[x].shape;
    const int64_t c = in[3];
    const TensorId w = Const(DType::kInt8, {3, 3, c, 1}, RandomInt8(9 * c));
    const TensorId b = Const(DType::kInt32, {c}, std::vector<int32_t>(c, 77));
    const TensorId izp = Const(DType::kInt8, {1}, std::vector<int8_t>{5});
    const TensorId wzp = Const(DType::kInt8, {1}, std::vector<int8_t>{0});
    const TensorId acc = Tensor(DType::kInt32, {in[0], (in[1] + 1) / 2, (in[2] + 1) / 2, c});
    graph::DepthwiseConv2dAttr attr;
    attr.pad = {1, 1, 1, 1};
    attr.stride = {2, 2};
    attr.dilation = {1, 1};
    attr.acc_type = DType::kInt32;
    Add(Op::kDepthwiseConv2d, {x, w, b, izp, wzp}, {acc}, attr);
    return acc;
  }

  TensorId Matmul(TensorId a, int64_t columns) {
    const Shape shape = g_.tensors[a].shape;
    const TensorId b = Const(DType::kInt8, {1, shape[2], columns}, RandomInt8(shape[2] * columns));
    const TensorId azp = Const(DType::kInt8, {1}, std::vector<int8_t>{11});
    const TensorId bzp = Const(DType::kInt8, {1}, std::vector<int8_t>{-2});
    const TensorId acc = Tensor(DType::kInt32, {1, shape[1], columns});
    Add(Op::kMatMul, {a, b, azp, bzp}, {acc});
    return acc;
  }

  // FP32 3x3 CONV2D (padding 1) and DEPTHWISE_CONV2D (padding 1, stride 2), and an FP32 CLAMP.
  TensorId ConvFp32(TensorId x, int64_t oc) {
    const Shape in = g_.tensors[x].shape;
    const TensorId w = Const(DType::kFp32, {oc, 3, 3, in[3]}, RandomFloats(oc * 9 * in[3]));
    const TensorId acc = Tensor(DType::kFp32, {in[0], in[1], in[2], oc});
    graph::Conv2dAttr attr;
    attr.pad = {1, 1, 1, 1};
    attr.stride = {1, 1};
    attr.dilation = {1, 1};
    attr.acc_type = DType::kFp32;
    Add(Op::kConv2d, {x, w, Const(DType::kFp32, {oc}, RandomFloats(oc)), FloatZero(), FloatZero()},
        {acc}, attr);
    return acc;
  }

  TensorId DepthwiseFp32(TensorId x) {
    const Shape in = g_.tensors[x].shape;
    const int64_t c = in[3];
    const TensorId w = Const(DType::kFp32, {3, 3, c, 1}, RandomFloats(9 * c));
    const TensorId acc = Tensor(DType::kFp32, {in[0], (in[1] + 1) / 2, (in[2] + 1) / 2, c});
    graph::DepthwiseConv2dAttr attr;
    attr.pad = {1, 1, 1, 1};
    attr.stride = {2, 2};
    attr.dilation = {1, 1};
    attr.acc_type = DType::kFp32;
    Add(Op::kDepthwiseConv2d,
        {x, w, Const(DType::kFp32, {c}, RandomFloats(c)), FloatZero(), FloatZero()}, {acc}, attr);
    return acc;
  }

  TensorId ClampFp32(TensorId x, float lo, float hi, graph::NanMode nan_mode) {
    graph::ClampAttr attr;
    attr.min_val = Raw(std::vector<float>{lo});
    attr.max_val = Raw(std::vector<float>{hi});
    attr.nan_mode = nan_mode;
    const TensorId out = Tensor(DType::kFp32, g_.tensors[x].shape);
    Add(Op::kClamp, {x}, {out}, attr);
    return out;
  }

  // x [N, H, in] MATMUL a constant [N, in, out] weight, then ADD a constant [1, 1, out] bias.
  std::pair<TensorId, TensorId> LinearFp32(TensorId x, int64_t out) {
    const Shape in = g_.tensors[x].shape;
    const TensorId w = Const(DType::kFp32, {in[0], in[2], out}, RandomFloats(in[0] * in[2] * out));
    const TensorId product = Tensor(DType::kFp32, {in[0], in[1], out});
    Add(Op::kMatMul, {x, w, FloatZero(), FloatZero()}, {product});
    const TensorId bias = Const(DType::kFp32, {1, 1, out}, RandomFloats(out));
    const TensorId sum = Tensor(DType::kFp32, {in[0], in[1], out});
    Add(Op::kAdd, {product, bias}, {sum});
    return {product, sum};
  }

  std::shared_ptr<const Graph> Build() {
    const absl::Status valid = graph::ValidateGraph(g_);
    EXPECT_TRUE(valid.ok()) << valid;
    return std::make_shared<const Graph>(g_);
  }

 private:
  Graph g_;
  std::mt19937 rng_{99};
};

bool OptimisedKernelsAvailable() {
  return opt::SelectTileKernels() != nullptr && opt::SelectRescaleKernels() != nullptr;
}

// Runs `graph` with random inputs: the executor as loaded (fused, `threads` threads) and with the
// optimised kernels switched off (no fusion, reference kernels). Returns whether all outputs match
// bit for bit; both runs must agree on the status.
void ExpectSameAsReference(const std::shared_ptr<const Graph>& graph, int threads,
                           absl::StatusCode expected = absl::StatusCode::kOk) {
  auto fused = GraphExecutor::Create(graph, GraphExecutorOptions{.threads = threads});
  ASSERT_TRUE(fused.ok()) << fused.status();
  opt::SetOptimizedKernelsEnabled(false);
  auto reference = GraphExecutor::Create(graph);
  opt::SetOptimizedKernelsEnabled(true);
  ASSERT_TRUE(reference.ok()) << reference.status();

  std::mt19937 rng(3);
  const graph::Block& main = graph->main_block();
  std::vector<std::vector<uint8_t>> inputs, out_fused, out_reference;
  for (TensorId id : main.inputs) {
    inputs.emplace_back((*fused)->StorageBytes(id));
    for (auto& b : inputs.back()) b = static_cast<uint8_t>(rng());
  }
  for (TensorId id : main.outputs) {
    out_fused.emplace_back((*fused)->StorageBytes(id), 0xaa);
    out_reference.emplace_back((*fused)->StorageBytes(id), 0xaa);
  }
  std::vector<std::span<const uint8_t>> in_spans(inputs.begin(), inputs.end());
  std::vector<std::span<uint8_t>> fused_spans(out_fused.begin(), out_fused.end());
  std::vector<std::span<uint8_t>> reference_spans(out_reference.begin(), out_reference.end());
  for (int repeat = 0; repeat < 2; ++repeat) {  // a second run reuses arena and scratch
    const absl::Status a = (*fused)->Run(in_spans, fused_spans);
    const absl::Status b = (*reference)->Run(in_spans, reference_spans);
    EXPECT_EQ(a.code(), expected) << a;
    EXPECT_EQ(b.code(), expected) << b;
    if (expected != absl::StatusCode::kOk) return;
    for (size_t i = 0; i < out_fused.size(); ++i) {
      EXPECT_EQ(out_fused[i], out_reference[i]) << "output " << i << ", " << threads << " threads";
    }
  }
}

// CONV2D -> RESCALE (per channel) -> CLAMP -> DEPTHWISE_CONV2D -> RESCALE (per tensor), and
// MATMUL -> RESCALE on a second input.
std::shared_ptr<const Graph> FusableChains(int8_t project_shift = 0) {
  Builder b;
  // Large enough for the kernels to cut CONV2D and MATMUL into several tasks.
  const TensorId image = b.Input(DType::kInt8, {1, 41, 11, 16});
  const TensorId a = b.Input(DType::kInt8, {1, 130, 200});
  const TensorId conv = b.Clamp(b.Rescale(b.Conv(image, 20), 20, true, -128), -128, 100);
  b.Output(b.Rescale(b.Depthwise(conv), 20, false, 3, project_shift));
  b.Output(b.Rescale(b.Matmul(a, 40), 40, true, 0));
  return b.Build();
}

TEST(RequantisationFusionTest, FusesEachChainOnce) {
  if (!OptimisedKernelsAvailable()) GTEST_SKIP() << "no optimised kernels on this CPU";
  const auto graph = FusableChains();
  const std::vector<RequantisationFusion> fusions = FindRequantisationFusions(*graph, 0);
  ASSERT_EQ(fusions.size(), 3u);
  const auto& ops = graph->main_block().operators;
  EXPECT_EQ(ops[fusions[0].producer].op, Op::kConv2d);
  EXPECT_EQ(ops[fusions[0].rescale].op, Op::kRescale);
  ASSERT_TRUE(fusions[0].clamp.has_value());
  EXPECT_EQ(ops[*fusions[0].clamp].op, Op::kClamp);
  EXPECT_EQ(ops[fusions[1].producer].op, Op::kDepthwiseConv2d);
  EXPECT_FALSE(fusions[1].clamp.has_value());
  EXPECT_EQ(ops[fusions[2].producer].op, Op::kMatMul);
}

// The per-operator profile shows each fused step once, named after its operators, with the tensor
// it finally writes.
TEST(RequantisationFusionTest, ProfileNamesFusedSteps) {
  if (!OptimisedKernelsAvailable()) GTEST_SKIP() << "no optimised kernels on this CPU";
  const auto graph = FusableChains();
  auto executor = GraphExecutor::Create(graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  std::vector<std::string> ops;
  for (const OperatorTiming& timing : (*executor)->OperatorProfile()) ops.push_back(timing.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"CONV2D+RESCALE+CLAMP", "DEPTHWISE_CONV2D+RESCALE",
                                           "MATMUL+RESCALE"}));
  const OperatorTiming first = (*executor)->OperatorProfile()[0];
  const graph::Operator& clamp =
      graph->main_block().operators[*FindRequantisationFusions(*graph, 0)[0].clamp];
  EXPECT_EQ(first.output, graph->tensor(clamp.outputs[0]).name);
}

// CONV2D -> CLAMP -> DEPTHWISE_CONV2D -> CLAMP in FP32; with `expose_accumulators` the two
// convolutions' outputs are graph outputs too, which rules the fusions out.
std::shared_ptr<const Graph> Fp32ConvolutionClamps(bool expose_accumulators) {
  Builder b;
  const TensorId image = b.Input(DType::kFp32, {1, 23, 17, 8});
  const TensorId conv = b.ConvFp32(image, 24);
  const TensorId dw = b.DepthwiseFp32(b.ClampFp32(conv, 0.0f, 6.0f, graph::NanMode::kPropagate));
  b.Output(b.ClampFp32(dw, -0.5f, 0.5f, graph::NanMode::kIgnore));
  if (expose_accumulators) {
    b.Output(conv);
    b.Output(dw);
  }
  return b.Build();
}

TEST(RequantisationFusionTest, FusesFp32ConvolutionsWithTheirClamp) {
  if (opt::SelectTileKernels() == nullptr) GTEST_SKIP() << "no optimised kernels on this CPU";
  const auto graph = Fp32ConvolutionClamps(false);
  const std::vector<RequantisationFusion> fusions = FindRequantisationFusions(*graph, 0);
  ASSERT_EQ(fusions.size(), 2u);
  const auto& ops = graph->main_block().operators;
  for (const RequantisationFusion& fusion : fusions) {
    EXPECT_EQ(fusion.kind, FusionKind::kFp32Clamp);
    EXPECT_EQ(ops[fusion.rescale].op, Op::kClamp);
  }
  EXPECT_EQ(ops[fusions[0].producer].op, Op::kConv2d);
  EXPECT_EQ(ops[fusions[1].producer].op, Op::kDepthwiseConv2d);
  EXPECT_TRUE(FindRequantisationFusions(*Fp32ConvolutionClamps(true), 0).empty());

  auto executor = GraphExecutor::Create(graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  std::vector<std::string> names;
  for (const OperatorTiming& timing : (*executor)->OperatorProfile()) names.push_back(timing.op);
  EXPECT_EQ(names, (std::vector<std::string>{"CONV2D+CLAMP", "DEPTHWISE_CONV2D+CLAMP"}));
}

// The fused FP32 steps give the bits of the same optimised convolutions followed by separate
// CLAMPs, NaN inputs included, for any thread count.
TEST(RequantisationFusionTest, Fp32FusedClampsEqualTheSeparateOperators) {
  if (opt::SelectTileKernels() == nullptr) GTEST_SKIP() << "no optimised kernels on this CPU";
  const auto fused_graph = Fp32ConvolutionClamps(false);
  const auto separate_graph = Fp32ConvolutionClamps(true);
  std::mt19937 rng(5);
  std::vector<float> image(23 * 17 * 8);
  for (auto& v : image) v = std::uniform_real_distribution<float>(-8.0f, 8.0f)(rng);
  image[100] = std::numeric_limits<float>::quiet_NaN();
  const std::span<const uint8_t> inputs[] = {
      {reinterpret_cast<const uint8_t*>(image.data()), image.size() * sizeof(float)}};
  auto separate = GraphExecutor::Create(separate_graph);
  ASSERT_TRUE(separate.ok()) << separate.status();
  const size_t bytes = (*separate)->StorageBytes(separate_graph->main_block().outputs[0]);
  std::vector<uint8_t> expected(bytes),
      conv((*separate)->StorageBytes(separate_graph->main_block().outputs[1])),
      dw((*separate)->StorageBytes(separate_graph->main_block().outputs[2]));
  const std::span<uint8_t> separate_outputs[] = {expected, conv, dw};
  ASSERT_TRUE((*separate)->Run(inputs, separate_outputs).ok());
  for (int threads : {1, 2, 3}) {
    auto fused = GraphExecutor::Create(fused_graph, GraphExecutorOptions{.threads = threads});
    ASSERT_TRUE(fused.ok()) << fused.status();
    std::vector<uint8_t> actual(bytes, 0xaa);
    const std::span<uint8_t> outputs[] = {actual};
    ASSERT_TRUE((*fused)->Run(inputs, outputs).ok());
    EXPECT_EQ(actual, expected) << threads << " threads";
  }
}

// x -> MATMUL -> bias ADD -> CLAMP -> MATMUL -> bias ADD (a feed-forward block as ExecuTorch's Arm
// backend lowers it); with `expose_products` the MATMULs' outputs are graph outputs too, which
// rules the fusions out. Shapes that are not whole tiles: 13 rows, 37 and 40 columns.
std::shared_ptr<const Graph> Fp32LinearLayers(bool expose_products) {
  Builder b;
  const TensorId x = b.Input(DType::kFp32, {1, 13, 24});
  const auto [product1, sum1] = b.LinearFp32(x, 37);
  const TensorId relu =
      b.ClampFp32(sum1, 0.0f, std::numeric_limits<float>::max(), graph::NanMode::kPropagate);
  const auto [product2, sum2] = b.LinearFp32(relu, 40);
  b.Output(sum2);
  if (expose_products) {
    b.Output(product1);
    b.Output(product2);
  }
  return b.Build();
}

TEST(RequantisationFusionTest, FusesFp32MatmulsWithTheirBiasAndClamp) {
  if (opt::SelectTileKernels() == nullptr) GTEST_SKIP() << "no optimised kernels on this CPU";
  const auto graph = Fp32LinearLayers(false);
  const std::vector<RequantisationFusion> fusions = FindRequantisationFusions(*graph, 0);
  ASSERT_EQ(fusions.size(), 2u);
  const auto& ops = graph->main_block().operators;
  for (const RequantisationFusion& fusion : fusions) {
    EXPECT_EQ(fusion.kind, FusionKind::kFp32MatmulBias);
    EXPECT_EQ(ops[fusion.producer].op, Op::kMatMul);
    EXPECT_EQ(ops[fusion.rescale].op, Op::kAdd);
  }
  ASSERT_TRUE(fusions[0].clamp.has_value());
  EXPECT_EQ(ops[*fusions[0].clamp].op, Op::kClamp);
  EXPECT_FALSE(fusions[1].clamp.has_value());
  EXPECT_TRUE(FindRequantisationFusions(*Fp32LinearLayers(true), 0).empty());

  auto executor = GraphExecutor::Create(graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  std::vector<std::string> names;
  for (const OperatorTiming& timing : (*executor)->OperatorProfile()) names.push_back(timing.op);
  EXPECT_EQ(names, (std::vector<std::string>{"MATMUL+ADD+CLAMP", "MATMUL+ADD"}));
}

// The fused steps give the bits of the same optimised MATMULs followed by separate ADDs and CLAMP
// (the bias is the last addition either way), NaN inputs included, for any thread count.
TEST(RequantisationFusionTest, Fp32FusedLinearLayersEqualTheSeparateOperators) {
  if (opt::SelectTileKernels() == nullptr) GTEST_SKIP() << "no optimised kernels on this CPU";
  const auto fused_graph = Fp32LinearLayers(false);
  const auto separate_graph = Fp32LinearLayers(true);
  std::mt19937 rng(6);
  std::vector<float> x(13 * 24);
  for (auto& v : x) v = std::uniform_real_distribution<float>(-4.0f, 4.0f)(rng);
  x[30] = std::numeric_limits<float>::quiet_NaN();
  const std::span<const uint8_t> inputs[] = {
      {reinterpret_cast<const uint8_t*>(x.data()), x.size() * sizeof(float)}};
  auto separate = GraphExecutor::Create(separate_graph);
  ASSERT_TRUE(separate.ok()) << separate.status();
  const auto& outs = separate_graph->main_block().outputs;
  std::vector<uint8_t> expected((*separate)->StorageBytes(outs[0])),
      product1((*separate)->StorageBytes(outs[1])), product2((*separate)->StorageBytes(outs[2]));
  const std::span<uint8_t> separate_outputs[] = {expected, product1, product2};
  ASSERT_TRUE((*separate)->Run(inputs, separate_outputs).ok());
  for (int threads : {1, 2, 3}) {
    auto fused = GraphExecutor::Create(fused_graph, GraphExecutorOptions{.threads = threads});
    ASSERT_TRUE(fused.ok()) << fused.status();
    std::vector<uint8_t> actual(expected.size(), 0xaa);
    const std::span<uint8_t> outputs[] = {actual};
    ASSERT_TRUE((*fused)->Run(inputs, outputs).ok());
    EXPECT_EQ(actual, expected) << threads << " threads";
  }
}

TEST(RequantisationFusionTest, FusedOutputsEqualReferenceForAnyThreadCount) {
  if (!OptimisedKernelsAvailable()) GTEST_SKIP() << "no optimised kernels on this CPU";
  for (int threads : {1, 2, 3}) ExpectSameAsReference(FusableChains(), threads);
}

TEST(RequantisationFusionTest, NothingFusedWithTheOptimisedKernelsOff) {
  opt::SetOptimizedKernelsEnabled(false);
  const std::vector<RequantisationFusion> fusions = FindRequantisationFusions(*FusableChains(), 0);
  opt::SetOptimizedKernelsEnabled(true);
  EXPECT_TRUE(fusions.empty());
}

TEST(RequantisationFusionTest, AccumulatorWithTwoReadersOrAsGraphOutputIsLeftAlone) {
  if (!OptimisedKernelsAvailable()) GTEST_SKIP() << "no optimised kernels on this CPU";
  Builder b;
  const TensorId image = b.Input(DType::kInt8, {1, 5, 6, 4});
  const TensorId shared = b.Conv(image, 8);  // read by two RESCALEs
  b.Output(b.Rescale(shared, 8, true, 0));
  b.Output(b.Rescale(shared, 8, false, 1));
  const TensorId exposed = b.Conv(image, 8);  // a graph output itself
  b.Output(exposed);
  b.Output(b.Rescale(exposed, 8, true, 0));
  const TensorId clamped_twice = b.Rescale(b.Conv(image, 8), 8, true, 0);  // RESCALE fused,
  b.Output(b.Clamp(clamped_twice, -10, 10));                               // its two readers
  b.Output(b.Clamp(clamped_twice, -20, 20));                               // are not
  const auto graph = b.Build();
  const std::vector<RequantisationFusion> fusions = FindRequantisationFusions(*graph, 0);
  ASSERT_EQ(fusions.size(), 1u);
  EXPECT_FALSE(fusions[0].clamp.has_value());
  for (int threads : {1, 2}) ExpectSameAsReference(graph, threads);
}

TEST(RequantisationFusionTest, OperandsBreakingARequireFailLikeTheSeparateOperators) {
  if (!OptimisedKernelsAvailable()) GTEST_SKIP() << "no optimised kernels on this CPU";
  // With shift 2, apply_scale_32 requires -2 <= value < 2: the depthwise accumulators break it.
  ExpectSameAsReference(FusableChains(2), 1, absl::StatusCode::kOutOfRange);
  ExpectSameAsReference(FusableChains(2), 2, absl::StatusCode::kOutOfRange);
}

// A producer that constant folding evaluates at load is not fused: its RESCALE, which folding could
// not evaluate (the accumulators break apply_scale_32's REQUIRE), still runs, and fails.
TEST(RequantisationFusionTest, AFoldedProducerLeavesItsRescaleToRunAlone) {
  if (!OptimisedKernelsAvailable()) GTEST_SKIP() << "no optimised kernels on this CPU";
  Builder b;
  const TensorId image = b.Const(DType::kInt8, {1, 9, 7, 16}, b.RandomInt8(9 * 7 * 16));
  b.Output(b.Rescale(b.Depthwise(image), 16, false, 3, /*shift_value=*/2));
  const auto graph = b.Build();
  ASSERT_EQ(FindRequantisationFusions(*graph, 0).size(), 1u);
  auto executor = GraphExecutor::Create(graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  EXPECT_EQ((*executor)->folded_operator_count(), 1u);  // the depthwise convolution
  std::vector<uint8_t> output((*executor)->StorageBytes(graph->main_block().outputs[0]));
  const std::span<uint8_t> outputs[] = {output};
  EXPECT_EQ((*executor)->Run({}, outputs).code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace inferd::cpu
