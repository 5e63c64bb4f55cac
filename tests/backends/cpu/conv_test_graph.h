// The convolution graph the CPU backend's constant tests share: x [1, 8, 8, 16] -> 3x3 CONV2D
// (padding 1) to 24 channels, INT8 (INT32 out) or FP32, its weight a CONST or the IDENTITY of one
// (folded at load), optionally also a graph output or followed by a RESCALE to INT8.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "engine/graph/graph.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu::test_graphs {

inline constexpr int64_t kSize = 8, kIn = 16, kOut = 24;

template <typename T>
std::vector<T> Random(size_t count, int seed) {
  std::mt19937 rng(seed);
  std::vector<T> v(count);
  for (T& x : v) {
    if constexpr (std::is_floating_point_v<T>) {
      x = std::uniform_real_distribution<T>(-1, 1)(rng);
    } else {
      x = static_cast<T>(std::uniform_int_distribution<int>(-128, 127)(rng));
    }
  }
  return v;
}

inline size_t ElementBytes(graph::DType type) { return type == graph::DType::kInt8 ? 1 : 4; }

struct ConvGraph {
  std::shared_ptr<const graph::Graph> graph;
  graph::TensorId source;  // the CONST holding the weight's value
  graph::TensorId weight;  // the CONV2D's weight operand: `source`, or its folded IDENTITY
  graph::TensorId bias;
  graph::TensorId conv;    // the CONV2D's output
  graph::TensorId output;  // the graph's first output
};

struct ConvOptions {
  bool folded_weight = false;     // the weight is the IDENTITY of the CONST (folded at load)
  bool weight_is_output = false;  // the CONST is a graph output too, so read at run time
  bool rescale = false;           // INT8: a RESCALE to INT8 after the CONV2D (fused with it)
};

// x [1, 8, 8, 16] -> 3x3 CONV2D (padding 1) to 24 channels, INT8 (INT32 out) or FP32.
inline ConvGraph Conv(graph::DType type, ConvOptions options = {}) {
  GraphBuilder b;
  const bool int8 = type == graph::DType::kInt8;
  const graph::TensorId x = b.Input("x", type, {1, kSize, kSize, kIn});
  const std::vector<int64_t> w_shape = {kOut, 3, 3, kIn};
  const size_t w_count = kOut * 9 * kIn;
  ConvGraph conv;
  conv.source = int8 ? b.Const("w", type, w_shape, Random<int8_t>(w_count, 1))
                     : b.Const("w", type, w_shape, Random<float>(w_count, 1));
  conv.weight = conv.source;
  if (options.folded_weight) {
    conv.weight = b.Tensor("w_folded", type, w_shape);
    b.Add(graph::Op::kIdentity, {}, {conv.source}, {conv.weight});
  }
  conv.bias = int8 ? b.Const("b", graph::DType::kInt32, {kOut}, std::vector<int32_t>(kOut, -700))
                   : b.Const("b", type, {kOut}, Random<float>(kOut, 2));
  const graph::TensorId izp = int8 ? b.Const("izp", type, {1}, std::vector<int8_t>{-5})
                                   : b.Const("izp", type, {1}, std::vector<float>{0});
  const graph::TensorId wzp = int8 ? b.Const("wzp", type, {1}, std::vector<int8_t>{3})
                                   : b.Const("wzp", type, {1}, std::vector<float>{0});
  conv.conv = b.Tensor("conv", int8 ? graph::DType::kInt32 : type, {1, kSize, kSize, kOut});
  graph::Conv2dAttr attr;
  attr.pad = {1, 1, 1, 1};
  attr.stride = {1, 1};
  attr.dilation = {1, 1};
  attr.acc_type = int8 ? graph::DType::kInt32 : graph::DType::kFp32;
  b.Add(graph::Op::kConv2d, attr, {x, conv.weight, conv.bias, izp, wzp}, {conv.conv});
  conv.output = conv.conv;
  if (options.rescale) {
    const graph::TensorId multiplier =
        b.Const("m", graph::DType::kInt32, {1}, std::vector<int32_t>{1 << 30});
    const graph::TensorId shift = b.Const("s", graph::DType::kInt8, {1}, std::vector<int8_t>{40});
    const graph::TensorId rescale_izp =
        b.Const("rizp", graph::DType::kInt32, {1}, std::vector<int32_t>{0});
    const graph::TensorId rescale_ozp =
        b.Const("rozp", graph::DType::kInt8, {1}, std::vector<int8_t>{2});
    conv.output = b.Tensor("y", graph::DType::kInt8, {1, kSize, kSize, kOut});
    graph::RescaleAttr rescale;
    rescale.scale32 = true;
    rescale.rounding_mode = graph::RoundingMode::kDoubleRound;
    b.Add(graph::Op::kRescale, rescale, {conv.conv, multiplier, shift, rescale_izp, rescale_ozp},
          {conv.output});
  }
  b.Output(conv.output);
  if (options.weight_is_output) b.Output(conv.source);
  conv.graph = b.Build();
  return conv;
}

inline std::vector<uint8_t> ConvInput(graph::DType type) {
  const size_t count = kSize * kSize * kIn;
  std::vector<uint8_t> bytes(count * ElementBytes(type));
  if (type == graph::DType::kInt8) {
    const std::vector<int8_t> v = Random<int8_t>(count, 3);
    std::memcpy(bytes.data(), v.data(), bytes.size());
  } else {
    const std::vector<float> v = Random<float>(count, 3);
    std::memcpy(bytes.data(), v.data(), bytes.size());
  }
  return bytes;
}

// INT8 results bit for bit (exact integer sums), FP32 within 1e-4.
inline void ExpectSameValues(graph::DType type, const std::vector<uint8_t>& actual,
                             const std::vector<uint8_t>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  if (type == graph::DType::kInt8) {
    EXPECT_EQ(actual, expected);
    return;
  }
  for (size_t i = 0; i < expected.size(); i += 4) {
    float a, e;
    std::memcpy(&a, &actual[i], 4);
    std::memcpy(&e, &expected[i], 4);
    ASSERT_NEAR(a, e, 1e-4f) << "element " << i / 4;
  }
}

// Tests of Conv(type) graphs on the optimised kernels, skipped where the CPU has none.
class OptimisedConvTest : public ::testing::TestWithParam<graph::DType> {
 protected:
  void SetUp() override {
    if (kernels::optimized::SelectTileKernels() == nullptr) {
      GTEST_SKIP() << "no optimised kernels on this CPU (or INFERD_CPU_KERNELS=reference)";
    }
  }
};

}  // namespace inferd::cpu::test_graphs
