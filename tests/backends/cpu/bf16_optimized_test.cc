// BF16 CONV2D, DEPTHWISE_CONV2D and MATMUL on the optimised FP32 kernels against the reference
// kernels. The operands are small integers, so every product and partial sum is exact in fp32 and
// the result exact in bfloat16: the two paths must agree bit for bit, whatever order they sum in.
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu {
namespace {

namespace opt = ::inferd::cpu::kernels::optimized;
using graph::DType;
using graph::TensorId;
using test_graphs::GraphBuilder;

// Small integers -4..4 as bfloat16 bit patterns (exact: the top half of the fp32 pattern).
std::vector<uint16_t> SmallIntegers(size_t count, std::mt19937& rng) {
  std::vector<uint16_t> bits(count);
  for (uint16_t& b : bits) {
    const float value = static_cast<float>(static_cast<int>(rng() % 9) - 4);
    uint32_t fp32;
    std::memcpy(&fp32, &value, sizeof fp32);
    b = static_cast<uint16_t>(fp32 >> 16);
  }
  return bits;
}

TensorId Bf16Const(GraphBuilder& b, const char* name, Shape shape, std::mt19937& rng) {
  const auto count = static_cast<size_t>(ElementCount(shape).value());
  return b.Const<uint16_t>(name, DType::kBf16, std::move(shape), SmallIntegers(count, rng));
}

// Runs `graph` with small-integer BF16 inputs, optimised and reference, and compares the bytes.
void ExpectSameAsReference(const std::shared_ptr<const graph::Graph>& graph) {
  auto optimised = GraphExecutor::Create(graph);
  ASSERT_TRUE(optimised.ok()) << optimised.status();
  opt::SetOptimizedKernelsEnabled(false);
  auto reference = GraphExecutor::Create(graph);
  opt::SetOptimizedKernelsEnabled(true);
  ASSERT_TRUE(reference.ok()) << reference.status();

  std::mt19937 rng(7);
  const graph::Block& main = graph->main_block();
  std::vector<std::vector<uint8_t>> inputs, got, want;
  for (TensorId id : main.inputs) {
    const std::vector<uint16_t> bits = SmallIntegers((*optimised)->StorageBytes(id) / 2, rng);
    inputs.emplace_back(reinterpret_cast<const uint8_t*>(bits.data()),
                        reinterpret_cast<const uint8_t*>(bits.data() + bits.size()));
  }
  for (TensorId id : main.outputs) {
    got.emplace_back((*optimised)->StorageBytes(id), 0xaa);
    want.emplace_back((*optimised)->StorageBytes(id), 0x55);
  }
  std::vector<std::span<const uint8_t>> in(inputs.begin(), inputs.end());
  std::vector<std::span<uint8_t>> got_spans(got.begin(), got.end());
  std::vector<std::span<uint8_t>> want_spans(want.begin(), want.end());
  for (int repeat = 0; repeat < 2; ++repeat) {  // the second run reuses the fp32 buffers
    ASSERT_TRUE((*optimised)->Run(in, got_spans).ok());
    ASSERT_TRUE((*reference)->Run(in, want_spans).ok());
    EXPECT_EQ(got, want);
  }
}

class Bf16OptimizedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (opt::SelectTileKernels() == nullptr) GTEST_SKIP() << "no optimised kernels on this CPU";
  }
  std::mt19937 rng_{11};
};

TEST_F(Bf16OptimizedTest, Conv2dMatchesTheReference) {
  GraphBuilder b;
  const TensorId in = b.Input("in", DType::kBf16, {2, 7, 6, 5});
  const TensorId w = Bf16Const(b, "w", {6, 3, 3, 5}, rng_);
  const TensorId bias = Bf16Const(b, "bias", {6}, rng_);
  const TensorId zp = b.Const<uint16_t>("zp", DType::kBf16, {1}, {0x8000});  // -0 counts as 0
  const TensorId out = b.Tensor("out", DType::kBf16, {2, 4, 6, 6});
  b.Add(graph::Op::kConv2d, graph::Conv2dAttr{{1, 1, 1, 1}, {2, 1}, {1, 1}, false, DType::kFp32},
        {in, w, bias, zp, zp}, {out});
  b.Output(out);
  ExpectSameAsReference(b.Build());
}

TEST_F(Bf16OptimizedTest, DepthwiseConv2dMatchesTheReference) {
  for (const bool constant_weights : {true, false}) {
    GraphBuilder b;
    const TensorId in = b.Input("in", DType::kBf16, {1, 9, 8, 7});
    const TensorId w = constant_weights ? Bf16Const(b, "w", {3, 3, 7, 1}, rng_)
                                        : b.Input("w", DType::kBf16, {3, 3, 7, 1});
    const TensorId bias = Bf16Const(b, "bias", {1}, rng_);
    const TensorId zp = b.Const<uint16_t>("zp", DType::kBf16, {1}, {0});
    const TensorId out = b.Tensor("out", DType::kBf16, {1, 9, 8, 7});
    b.Add(graph::Op::kDepthwiseConv2d,
          graph::DepthwiseConv2dAttr{{1, 1, 1, 1}, {1, 1}, {1, 1}, false, DType::kFp32},
          {in, w, bias, zp, zp}, {out});
    b.Output(out);
    ExpectSameAsReference(b.Build());
  }
}

TEST_F(Bf16OptimizedTest, MatmulMatchesTheReference) {
  for (const bool constant_b : {true, false}) {
    GraphBuilder b;
    const TensorId a = b.Input("a", DType::kBf16, {2, 13, 20});
    const TensorId rhs =
        constant_b ? Bf16Const(b, "b", {2, 20, 17}, rng_) : b.Input("b", DType::kBf16, {2, 20, 17});
    const TensorId zp = b.Const<uint16_t>("zp", DType::kBf16, {1}, {0});
    const TensorId out = b.Tensor("out", DType::kFp32, {2, 13, 17});
    b.Add(graph::Op::kMatMul, {}, {a, rhs, zp, zp}, {out});
    b.Output(out);
    ExpectSameAsReference(b.Build());
  }
}

// A non-zero zero point is refused on the optimised path as on the reference one.
TEST_F(Bf16OptimizedTest, NonZeroZeroPointIsRefused) {
  GraphBuilder b;
  const TensorId a = b.Input("a", DType::kBf16, {1, 2, 3});
  const TensorId rhs = Bf16Const(b, "b", {1, 3, 2}, rng_);
  const TensorId one = b.Const<uint16_t>("one", DType::kBf16, {1}, {0x3f80});
  const TensorId zero = b.Const<uint16_t>("zero", DType::kBf16, {1}, {0});
  const TensorId out = b.Tensor("out", DType::kFp32, {1, 2, 2});
  b.Add(graph::Op::kMatMul, {}, {a, rhs, one, zero}, {out});
  b.Output(out);
  auto executor = GraphExecutor::Create(b.Build());
  ASSERT_TRUE(executor.ok()) << executor.status();
  std::vector<uint8_t> input(12, 0), output(16);
  std::vector<std::span<const uint8_t>> in{input};
  std::vector<std::span<uint8_t>> outs{output};
  const absl::Status status = (*executor)->Run(in, outs);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find("A_zp must be 0 for BF16"), std::string::npos) << status;
}

}  // namespace
}  // namespace inferd::cpu
