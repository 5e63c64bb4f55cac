// CONV2D and DEPTHWISE_CONV2D with the RESCALE and CLAMP (or the FP32 CLAMP) that read their output
// folded into one dispatch (backends/vulkan/epilogue_fusion.h, shaders/conv_epilogue.glsl): INT8
// results byte-identical to the CPU backend's for every blocked shader the convolution may take,
// per-channel and per-tensor multipliers (INT32 and INT16), shifts from the smallest the sums allow
// to 62, double rounding, zero points, CLAMP bounds, an unsigned RESCALE output read back by the
// CLAMP, and channel counts that are not a multiple of 8; the graphs that must stay unfused; and
// the number of dispatches, which says whether a chain was fused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/backends/cpu/control_flow_graphs.h"
#include "tests/backends/cpu/graph_builder.h"
#include "tests/backends/vulkan/convolution_chains.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using graph::TensorId;
using testing::AddInt8Clamp;
using testing::AddInt8Convolution;
using testing::AddRescale;
using testing::ChainCase;
using testing::ChainGraph;
using testing::ConvolutionAttribute;
using testing::Describe;
using testing::ExpectSameOnBothBackends;
using testing::kRelu;
using testing::RandomFloats;
using testing::RandomValues;

TEST(VulkanFusedEpilogueTest, Int8ChainsMatchTheCpuByteForByte) {
  std::mt19937 rng(41);
  // clang-format off
  const ChainCase cases[] = {
      // depthwise, h, w, ic, oc, kh, kw, pad, stride, input_zp, weight_zp, per_channel, scale32,
      // double_round, output_zp, output_unsigned, clamp
      // CONV2D, 16 int8 per load, 1x1, 12 channels (a last block of 4), 4 pixels an invocation.
      {false, 32, 33, 16, 12, 1, 1, {0, 0, 0, 0}, {1, 1}, -128, 3, true, true, false, -128, false,
       std::pair<int8_t, int8_t>{-128, 127}},
      // 16 per load, 3x3 stride 2 with padding, 20 channels, double rounding, a ReLU6-like CLAMP.
      {false, 13, 11, 32, 20, 3, 3, {1, 1, 1, 1}, {2, 2}, 7, -1, true, true, true, 5, false,
       std::pair<int8_t, int8_t>{-20, 70}},
      // 4 per load, per-tensor multiplier, no CLAMP, 300 pixels (two an invocation).
      {false, 15, 20, 12, 8, 3, 3, {1, 1, 1, 1}, {1, 1}, -5, 0, false, true, false, -3, false,
       std::nullopt},
      // One element per load (the MobileNet stem's 3 channels), INT16 multipliers, 36 channels.
      {false, 16, 14, 3, 36, 3, 3, {0, 1, 0, 1}, {2, 2}, -128, 0, true, false, false, 10, false,
       std::pair<int8_t, int8_t>{0, 100}},
      // 1x1, 4 channels (one block of 4), per tensor, double rounding.
      {false, 9, 9, 16, 4, 1, 1, {0, 0, 0, 0}, {1, 1}, 0, 0, false, true, true, 0, false,
       std::pair<int8_t, int8_t>{-60, 60}},
      // DEPTHWISE_CONV2D 3x3 stride 1 (depthwise_rows.comp), 12 channels, rows of 33.
      {true, 33, 33, 12, 0, 3, 3, {1, 1, 1, 1}, {1, 1}, 9, -2, true, true, false, -128, false,
       std::pair<int8_t, int8_t>{-128, 127}},
      // 3x3 stride 2 across, 20 channels, double rounding, per tensor.
      {true, 17, 18, 20, 0, 3, 3, {1, 1, 0, 1}, {2, 2}, -128, 4, false, true, true, 17, false,
       std::pair<int8_t, int8_t>{-100, 30}},
      // 5x5 (depthwise_blocked.comp), 1056 pixels (four an invocation), no CLAMP.
      {true, 32, 33, 8, 0, 5, 5, {2, 2, 2, 2}, {1, 1}, 17, 0, true, true, false, 0, false,
       std::nullopt},
      // 5x5, 306 pixels (two an invocation), 28 channels, INT16 multipliers.
      {true, 18, 17, 28, 0, 5, 5, {2, 2, 2, 2}, {1, 1}, -2, 1, true, false, false, -7, false,
       std::pair<int8_t, int8_t>{-128, 0}},
  };
  // clang-format on
  for (const ChainCase& c : cases) {
    testing::Buffers inputs;
    GraphBuilder b = ChainGraph(c, rng, inputs);
    auto program = testing::Program(b.Build());
    ASSERT_NE(program, nullptr);
    EXPECT_EQ(program->dispatch_count(), 1u) << Describe(c);
    // As the device runs it, with the 32-bit variants, and (CONV2D only) unfused through the plain
    // shader for want of subgroup shuffle.
    ExpectSameOnBothBackends(b, inputs, Describe(c));
  }
}

TEST(VulkanFusedEpilogueTest, ChainsBecomeOneDispatch) {
  std::mt19937 rng(43);
  // clang-format off
  const ChainCase conv{false, 8, 8, 16, 12, 3, 3, {1, 1, 1, 1}, {1, 1}, 0, 0, true, true, false,
                       0, false, kRelu};
  const ChainCase depthwise{true, 8, 8, 12, 0, 3, 3, {1, 1, 1, 1}, {1, 1}, 0, 0, true, true,
                            false, 0, false, std::nullopt};
  // clang-format on
  for (const ChainCase& c : {conv, depthwise}) {
    testing::Buffers inputs;
    GraphBuilder b = ChainGraph(c, rng, inputs);
    auto program = testing::Program(b.Build());
    ASSERT_NE(program, nullptr);
    EXPECT_EQ(program->dispatch_count(), 1u) << Describe(c);
  }
  // Without subgroup shuffle CONV2D takes the plain shader, which has no epilogue.
  testing::Buffers inputs;
  GraphBuilder b = ChainGraph(conv, rng, inputs);
  auto device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  auto plain = GraphProgram::Create(device, b.Build(), 1, {.subgroup_shuffle = false});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ((*plain)->dispatch_count(), 3u);
}

TEST(VulkanFusedEpilogueTest, ChainsWithOtherReadersOrOddChannelsStaySeparate) {
  std::mt19937 rng(47);
  // clang-format off
  ChainCase c{false, 7, 9, 16, 12, 3, 3, {1, 1, 1, 1}, {1, 1}, 3, -1, true, true, false, -9, false,
              std::pair<int8_t, int8_t>{-50, 50}};
  // clang-format on
  const Shape shape{1, 7, 9, 12};
  struct Variant {
    std::string what;
    size_t dispatches;
  };
  // The sums also an output: nothing fused. The RESCALE's output also an output: the CONV2D and
  // RESCALE fused, the CLAMP separate. The RESCALE's output read twice: the same.
  for (const Variant& v : {Variant{"sums an output", 3}, Variant{"rescaled an output", 2},
                           Variant{"rescaled read twice", 3}}) {
    GraphBuilder b;
    const auto x = b.Input("x", DType::kInt8, {1, c.h, c.w, c.ic});
    int64_t max_sum = 0;
    const TensorId sums = AddInt8Convolution(b, c, x, rng, max_sum);
    const TensorId rescaled = AddRescale(b, c, sums, shape, max_sum, rng);
    const TensorId clamped = AddInt8Clamp(b, rescaled, shape, -50, 50);
    b.Output(clamped);
    if (v.what == "sums an output") b.Output(sums);
    if (v.what == "rescaled an output") b.Output(rescaled);
    if (v.what == "rescaled read twice") b.Output(AddInt8Clamp(b, rescaled, shape, 0, 127, "relu"));
    auto program = testing::Program(b.Build());
    ASSERT_NE(program, nullptr);
    EXPECT_EQ(program->dispatch_count(), v.dispatches) << v.what;
    ExpectSameOnBothBackends(b, {BytesOf(RandomValues<int8_t>(rng, c.h * c.w * c.ic, -128, 127))},
                             v.what);
  }
  // 7 output channels: the plain shader, which has no epilogue; the operators run one by one.
  c.oc = 7;
  testing::Buffers inputs;
  GraphBuilder b = ChainGraph(c, rng, inputs);
  auto program = testing::Program(b.Build());
  ASSERT_NE(program, nullptr);
  EXPECT_EQ(program->dispatch_count(), 3u);
  ExpectSameOnBothBackends(b, inputs, "7 output channels");
}

// A negative multiplier passes validation (shifts outside [2, 62] do not), and the specification
// leaves its result unpredictable: the CPU backend refuses the request, the Vulkan backend's
// RESCALE gives 0 (rescale_math.glsl). The fused epilogue, which takes every channel as valid, is
// given multiplier 0 and shift 2 for such a channel by the lowering, so the fused chain gives what
// the operators one by one give: the output zero point (clamped) in those channels.
TEST(VulkanFusedEpilogueTest, NegativeMultipliersGiveWhatTheUnfusedRescaleGives) {
  std::mt19937 rng(53);
  // clang-format off
  const ChainCase c{false, 6, 7, 16, 12, 1, 1, {0, 0, 0, 0}, {1, 1}, 5, 0, true, true, true, -3,
                    false, std::pair<int8_t, int8_t>{-2, 90}};
  // clang-format on
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, {1, c.h, c.w, c.ic});
  int64_t max_sum = 0;
  const TensorId sums = AddInt8Convolution(b, c, x, rng, max_sum);
  const Shape shape = b.graph().tensors[sums].shape;
  std::vector<int32_t> multipliers =
      RandomValues<int32_t>(rng, 12, int32_t{1} << 30, std::numeric_limits<int32_t>::max());
  multipliers[0] = -5;
  multipliers[1] = std::numeric_limits<int32_t>::min();
  const auto m = b.Const("m", DType::kInt32, {12}, multipliers);
  const auto s = b.Const("s", DType::kInt8, {12}, std::vector<int8_t>(12, 40));
  const auto izp = b.Const("rizp", DType::kInt32, {1}, std::vector<int32_t>{0});
  const auto ozp = b.Const("rozp", DType::kInt8, {1}, std::vector<int8_t>{c.output_zp});
  const TensorId rescaled = b.Tensor("rescaled", DType::kInt8, shape);
  graph::RescaleAttr attr;
  attr.scale32 = true;
  attr.rounding_mode = graph::RoundingMode::kDoubleRound;
  attr.per_channel = true;
  b.Add(Op::kRescale, attr, {sums, m, s, izp, ozp}, {rescaled});
  b.Output(AddInt8Clamp(b, rescaled, shape, c.clamp->first, c.clamp->second));
  auto graph = b.Build();
  const testing::Buffers inputs = {BytesOf(RandomValues<int8_t>(rng, c.h * c.w * c.ic, -128, 127))};
  // Without subgroup shuffle CONV2D takes the plain shader, and the operators run one by one.
  auto unfused = testing::RunOnGpu(graph, inputs, {.subgroup_shuffle = false});
  ASSERT_TRUE(unfused.ok()) << unfused.status();
  const std::vector<uint8_t>& expected = unfused->at(0);
  for (size_t at = 0; at < expected.size(); at += 12) {
    EXPECT_EQ(static_cast<int8_t>(expected[at]), -2) << "pixel " << at / 12;  // clamp(-3)
    EXPECT_EQ(static_cast<int8_t>(expected[at + 1]), -2) << "pixel " << at / 12;
  }
  for (const GraphProgramOptions options :
       {GraphProgramOptions{}, GraphProgramOptions{.use_int64 = false}}) {
    auto program = GraphProgram::Create(testing::DefaultDevice(), graph, 1, options);
    ASSERT_TRUE(program.ok()) << program.status();
    EXPECT_EQ((*program)->dispatch_count(), 1u);
    auto fused = testing::RunOnGpu(graph, inputs, options);
    ASSERT_TRUE(fused.ok()) << fused.status();
    EXPECT_EQ(fused->at(0), expected) << (options.use_int64 ? "" : "32-bit shaders");
  }
}

// cond ? CLAMP(RESCALE(CONV2D(x))) : x, the chain inside the COND_IF's then block, whose
// operators the lowering fuses as it does the main block's.
TEST(VulkanFusedEpilogueTest, ChainsInsideAControlFlowBlockAreFusedToo) {
  using cpu::test_graphs::AddOperator;
  using cpu::test_graphs::AddTensor;
  std::mt19937 rng(59);
  graph::Graph g = cpu::test_graphs::Blocks({"then", "else"});
  const Shape shape{1, 6, 6, 8};
  const TensorId cond = AddTensor(g, 0, "cond", DType::kBool);
  const TensorId x = AddTensor(g, 0, "x", DType::kInt8, shape);
  const TensorId y = AddTensor(g, 0, "y", DType::kInt8, shape);
  g.blocks[0].inputs = {cond, x};
  g.blocks[0].outputs = {y};
  AddOperator(g, 0, Op::kCondIf, {cond, x}, {y}, graph::CondIfAttr{"then", "else", 1, 2});
  const TensorId tx = AddTensor(g, 1, "tx", DType::kInt8, shape);
  auto add_const = [&](const std::string& name, DType dtype, Shape dims,
                       std::vector<uint8_t> data) {
    const TensorId id = AddTensor(g, 1, name, dtype, std::move(dims));
    g.tensors[id].data = std::move(data);
    AddOperator(g, 1, Op::kConst, {}, {id});
    return id;
  };
  const TensorId w =
      add_const("w", DType::kInt8, {8, 1, 1, 8}, BytesOf(RandomValues<int8_t>(rng, 64, -128, 127)));
  const TensorId bias =
      add_const("b", DType::kInt32, {8}, BytesOf(RandomValues<int32_t>(rng, 8, -1000, 1000)));
  const TensorId izp = add_const("izp", DType::kInt8, {1}, BytesOf(std::vector<int8_t>{5}));
  const TensorId wzp = add_const("wzp", DType::kInt8, {1}, BytesOf(std::vector<int8_t>{-3}));
  const TensorId sums = AddTensor(g, 1, "sums", DType::kInt32, shape);
  AddOperator(g, 1, Op::kConv2d, {tx, w, bias, izp, wzp}, {sums},
              ConvolutionAttribute<graph::Conv2dAttr>({0, 0, 0, 0}, {1, 1}, DType::kInt32));
  const TensorId m = add_const("m", DType::kInt32, {8},
                               BytesOf(RandomValues<int32_t>(rng, 8, 1 << 30, (1u << 31) - 1)));
  const TensorId sh =
      add_const("s", DType::kInt8, {8}, BytesOf(RandomValues<int8_t>(rng, 8, 38, 46)));
  const TensorId rizp = add_const("rizp", DType::kInt32, {1}, BytesOf(std::vector<int32_t>{0}));
  const TensorId rozp = add_const("rozp", DType::kInt8, {1}, BytesOf(std::vector<int8_t>{-7}));
  const TensorId rescaled = AddTensor(g, 1, "rescaled", DType::kInt8, shape);
  graph::RescaleAttr rescale;
  rescale.scale32 = true;
  rescale.rounding_mode = graph::RoundingMode::kSingleRound;
  rescale.per_channel = true;
  AddOperator(g, 1, Op::kRescale, {sums, m, sh, rizp, rozp}, {rescaled}, rescale);
  const TensorId clamped = AddTensor(g, 1, "clamped", DType::kInt8, shape);
  graph::ClampAttr clamp;
  clamp.min_val = {static_cast<uint8_t>(-64)};
  clamp.max_val = {64};
  AddOperator(g, 1, Op::kClamp, {rescaled}, {clamped}, clamp);
  g.blocks[1].inputs = {tx};
  g.blocks[1].outputs = {clamped};
  const TensorId ex = AddTensor(g, 2, "ex", DType::kInt8, shape);
  g.blocks[2].inputs = {ex};
  g.blocks[2].outputs = {ex};

  const std::shared_ptr<const graph::Graph> graph = testing::Validated(std::move(g));
  auto program = testing::Program(graph);
  ASSERT_NE(program, nullptr);
  EXPECT_EQ(program->dispatch_count(), 1u);
  const std::vector<uint8_t> input = BytesOf(RandomValues<int8_t>(rng, 288, -128, 127));
  for (const uint8_t taken : {uint8_t{1}, uint8_t{0}}) {
    const testing::Buffers inputs = {{taken}, input};
    auto cpu = testing::RunOnCpu(graph, inputs);
    ASSERT_TRUE(cpu.ok()) << cpu.status();
    for (const GraphProgramOptions options :
         {GraphProgramOptions{}, GraphProgramOptions{.use_int64 = false}}) {
      auto gpu = testing::RunOnGpu(graph, inputs, options);
      ASSERT_TRUE(gpu.ok()) << gpu.status();
      EXPECT_EQ(*gpu, *cpu) << (taken ? "then" : "else")
                            << (options.use_int64 ? "" : " (32-bit shaders)");
    }
  }
}

TEST(VulkanFusedEpilogueTest, Fp32ConvolutionAndClampAreOneDispatchWithinRoundingOfTheCpu) {
  std::mt19937 rng(53);
  const auto zero = std::vector<float>{0};
  for (const bool depthwise : {false, true}) {
    GraphBuilder b;
    const int64_t c = 12;
    const auto x = b.Input("x", DType::kFp32, {1, 20, 21, c});
    const Shape weight_shape = depthwise ? Shape{3, 3, c, 1} : Shape{c, 3, 3, c};
    const auto w =
        b.Const("w", DType::kFp32, weight_shape, RandomFloats(rng, depthwise ? 9 * c : 9 * c * c));
    const auto bias = b.Const("b", DType::kFp32, {c}, RandomFloats(rng, c));
    const auto izp = b.Const("izp", DType::kFp32, {1}, zero);
    const auto wzp = b.Const("wzp", DType::kFp32, {1}, zero);
    const auto y = b.Tensor("y", DType::kFp32, {1, 20, 21, c});
    const std::vector<int32_t> pad{1, 1, 1, 1}, stride{1, 1};
    if (depthwise) {
      b.Add(Op::kDepthwiseConv2d,
            ConvolutionAttribute<graph::DepthwiseConv2dAttr>(pad, stride, DType::kFp32),
            {x, w, bias, izp, wzp}, {y});
    } else {
      b.Add(Op::kConv2d, ConvolutionAttribute<graph::Conv2dAttr>(pad, stride, DType::kFp32),
            {x, w, bias, izp, wzp}, {y});
    }
    const auto clamped = b.Tensor("clamped", DType::kFp32, {1, 20, 21, c});
    graph::ClampAttr attr;
    attr.min_val = BytesOf(std::vector<float>{0.0f});
    attr.max_val = BytesOf(std::vector<float>{0.5f});
    b.Add(Op::kClamp, attr, {y}, {clamped});
    b.Output(clamped);
    auto program = testing::Program(b.Build());
    ASSERT_NE(program, nullptr);
    EXPECT_EQ(program->dispatch_count(), 1u);
    testing::ExpectFp32Close(b, {BytesOf(RandomFloats(rng, 20 * 21 * c))}, 2e-4f,
                             depthwise ? "DEPTHWISE_CONV2D + CLAMP FP32" : "CONV2D + CLAMP FP32");
  }
}

}  // namespace
}  // namespace inferd::vulkan
