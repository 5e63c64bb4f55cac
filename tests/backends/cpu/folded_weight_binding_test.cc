// Weights that constant folding computes at load (here an IDENTITY of a CONST, standing in for the
// RESHAPE / TRANSPOSE / CAST chains exporters emit) are packed for the optimised convolutions like
// CONST weights (backends/cpu/load_time_constants.h): binding with the folded value gives a step
// that never reads the weight tensor at run time (the optimised kernel; the reference kernel reads
// it on every run), and a folded graph computes the same bytes as one whose weight is a CONST.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <type_traits>
#include <vector>

#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernel_binding.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "backends/cpu/load_time_constants.h"
#include "engine/graph/graph.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;
using test_graphs::GraphBuilder;

constexpr int64_t kSize = 8, kIn = 16, kOut = 24;

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

struct ConvGraph {
  std::shared_ptr<const graph::Graph> graph;
  TensorId weight;  // the CONV2D's weight operand
  TensorId output;  // of the CONV2D (the graph's output: no fusion)
};

// x [1, 8, 8, 16] -> 3x3 CONV2D (padding 1) to 24 channels, INT8 (INT32 out) or FP32. The weight
// is a CONST or, with `folded_weight`, the IDENTITY of one (a value folding computes at load).
ConvGraph Conv(DType type, bool folded_weight) {
  GraphBuilder b;
  const bool int8 = type == DType::kInt8;
  const TensorId x = b.Input("x", type, {1, kSize, kSize, kIn});
  const std::vector<int64_t> w_shape = {kOut, 3, 3, kIn};
  const size_t w_count = kOut * 9 * kIn;
  TensorId w = int8 ? b.Const("w", type, w_shape, Random<int8_t>(w_count, 1))
                    : b.Const("w", type, w_shape, Random<float>(w_count, 1));
  if (folded_weight) {
    const TensorId copy = b.Tensor("w_folded", type, w_shape);
    b.Add(Op::kIdentity, {}, {w}, {copy});
    w = copy;
  }
  const TensorId bias = int8 ? b.Const("b", DType::kInt32, {kOut}, std::vector<int32_t>(kOut, -700))
                             : b.Const("b", type, {kOut}, Random<float>(kOut, 2));
  const TensorId izp = int8 ? b.Const("izp", type, {1}, std::vector<int8_t>{-5})
                            : b.Const("izp", type, {1}, std::vector<float>{0});
  const TensorId wzp = int8 ? b.Const("wzp", type, {1}, std::vector<int8_t>{3})
                            : b.Const("wzp", type, {1}, std::vector<float>{0});
  const TensorId out = b.Tensor("out", int8 ? DType::kInt32 : type, {1, kSize, kSize, kOut});
  graph::Conv2dAttr attr;
  attr.pad = {1, 1, 1, 1};
  attr.stride = {1, 1};
  attr.dilation = {1, 1};
  attr.acc_type = int8 ? DType::kInt32 : DType::kFp32;
  b.Add(Op::kConv2d, attr, {x, w, bias, izp, wzp}, {out});
  b.Output(out);
  return {b.Build(), w, out};
}

std::vector<uint8_t> Input(DType type) {
  const size_t count = kSize * kSize * kIn;
  std::vector<uint8_t> bytes(count * (type == DType::kInt8 ? 1 : 4));
  if (type == DType::kInt8) {
    const std::vector<int8_t> v = Random<int8_t>(count, 3);
    std::memcpy(bytes.data(), v.data(), bytes.size());
  } else {
    const std::vector<float> v = Random<float>(count, 3);
    std::memcpy(bytes.data(), v.data(), bytes.size());
  }
  return bytes;
}

std::vector<uint8_t> RunExecutor(const ConvGraph& conv, DType type) {
  auto executor = GraphExecutor::Create(conv.graph);
  EXPECT_TRUE(executor.ok()) << executor.status();
  if (!executor.ok()) return {};
  const std::vector<uint8_t> x = Input(type);
  std::vector<uint8_t> y((*executor)->StorageBytes(conv.output));
  const std::span<const uint8_t> in[] = {x};
  const std::span<uint8_t> out[] = {y};
  EXPECT_TRUE((*executor)->Run(in, out).ok());
  return y;
}

class FoldedWeightBindingTest : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override {
    if (kernels::optimized::SelectTileKernels() == nullptr) {
      GTEST_SKIP() << "no optimised kernels on this CPU (or INFERD_CPU_KERNELS=reference)";
    }
  }
};

// The step bound with the folded weight keeps computing with the load-time value when the weight
// tensor's bytes change afterwards: it packed them, as only the optimised kernel does.
TEST_P(FoldedWeightBindingTest, FoldedWeightBindsTheOptimisedConvolution) {
  const DType type = GetParam();
  const ConvGraph conv = Conv(type, /*folded_weight=*/true);
  const graph::Graph& g = *conv.graph;
  // Every tensor's buffer, as the executor holds them after folding.
  std::vector<std::vector<uint8_t>> buffers(g.tensors.size());
  std::vector<uint8_t*> data(g.tensors.size(), nullptr);
  for (TensorId id = 0; id < g.tensors.size(); ++id) {
    const graph::Tensor& t = g.tensor(id);
    buffers[id] = t.data;
    buffers[id].resize(static_cast<size_t>(graph::ElementCount(t).value_or(0)) *
                       StorageElementBytes(t.dtype));
    data[id] = buffers[id].data();
  }
  const graph::Operator& identity = g.main_block().operators[1];
  ASSERT_EQ(identity.op, Op::kIdentity);
  const TensorId source = identity.inputs[0];    // the CONST the folded weight copies
  buffers[conv.weight] = g.tensor(source).data;  // the folded value
  data[conv.weight] = buffers[conv.weight].data();
  buffers[g.main_block().inputs[0]] = Input(type);
  data[g.main_block().inputs[0]] = buffers[g.main_block().inputs[0]].data();
  std::vector<bool> folded(g.tensors.size(), false);
  folded[conv.weight] = true;

  const graph::Operator& conv_op = g.main_block().operators.back();
  ASSERT_EQ(conv_op.op, Op::kConv2d);
  absl::StatusOr<BoundStep> with_folding =
      BindOperator(g, conv_op, LoadTimeConstants(g, data, folded));
  absl::StatusOr<BoundStep> const_only = BindOperator(g, conv_op);  // the reference kernel
  ASSERT_TRUE(with_folding.ok()) << with_folding.status();
  ASSERT_TRUE(const_only.ok()) << const_only.status();

  ASSERT_TRUE((*const_only)(data).ok());
  const std::vector<uint8_t> expected = buffers[conv.output];
  std::fill(buffers[conv.output].begin(), buffers[conv.output].end(), 0xab);
  // The weight tensor's bytes change (zeros): a step that reads them at run time would see it.
  std::fill(buffers[conv.weight].begin(), buffers[conv.weight].end(), 0);
  ASSERT_TRUE((*with_folding)(data).ok());
  if (type == DType::kInt8) {
    EXPECT_EQ(buffers[conv.output], expected);  // exact integer sums: the reference's bits
  } else {
    ASSERT_EQ(buffers[conv.output].size(), expected.size());
    for (size_t i = 0; i < expected.size(); i += 4) {
      float a, e;
      std::memcpy(&a, &buffers[conv.output][i], 4);
      std::memcpy(&e, &expected[i], 4);
      ASSERT_NEAR(a, e, 1e-4f) << "element " << i / 4;  // not the zero weights' bias-only output
    }
  }
}

// Through the executor: a folded weight gives the same bytes as the same weight as a CONST (both
// bind the optimised kernel), and folding took the IDENTITY out of the run.
TEST_P(FoldedWeightBindingTest, FoldedWeightComputesTheSameBytesAsAConstWeight) {
  const DType type = GetParam();
  const ConvGraph folded = Conv(type, true);
  const ConvGraph constant = Conv(type, false);
  auto executor = GraphExecutor::Create(folded.graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  EXPECT_EQ((*executor)->folded_operator_count(), 1u);
  const std::vector<uint8_t> a = RunExecutor(folded, type);
  const std::vector<uint8_t> b = RunExecutor(constant, type);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

INSTANTIATE_TEST_SUITE_P(Types, FoldedWeightBindingTest,
                         ::testing::Values(DType::kInt8, DType::kFp32),
                         [](const ::testing::TestParamInfo<DType>& info) {
                           return info.param == DType::kInt8 ? "Int8" : "Fp32";
                         });

}  // namespace
}  // namespace inferd::cpu
