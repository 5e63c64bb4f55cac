// The elementwise operator family through the graph executor: FP16/BF16 paths that the shared
// conformance set (FP32 and integers only) does not reach, the hand-over of ADD/SUB/MUL types from
// kernel_binding.cc, and the run-time errors of operand values the specification forbids.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernels/float_formats.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Op;
using kernels::Bf16;
using kernels::Fp16;
using kernels::Narrow;
using kernels::Widen;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <typename T>
std::vector<T> FromBytes(const std::vector<uint8_t>& bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

// A one-operator graph: graph inputs feed `op` (constants where given), its output is the graph's.
class OneOpGraph {
 public:
  OneOpGraph() {
    graph_.regions.push_back(graph::Region{"main", {0}});
    graph::Block main;
    main.name = "main";
    graph_.blocks.push_back(main);
  }

  graph::TensorId Input(DType dtype, Shape shape) {
    const graph::TensorId id = Tensor(dtype, std::move(shape), {});
    main().inputs.push_back(id);
    return id;
  }

  graph::TensorId Const(DType dtype, Shape shape, std::vector<uint8_t> data) {
    const graph::TensorId id = Tensor(dtype, std::move(shape), std::move(data));
    graph::Operator c;
    c.op = Op::kConst;
    c.outputs = {id};
    main().operators.push_back(c);
    return id;
  }

  // Adds the operator with a fresh output tensor, which becomes the graph output.
  void Operator(Op op, graph::Attribute attribute, std::vector<graph::TensorId> inputs,
                DType out_dtype, Shape out_shape) {
    const graph::TensorId out = Tensor(out_dtype, std::move(out_shape), {});
    graph::Operator o;
    o.op = op;
    o.attribute = std::move(attribute);
    o.inputs = std::move(inputs);
    o.outputs = {out};
    main().operators.push_back(std::move(o));
    main().outputs.push_back(out);
  }

  // Runs the graph on `inputs` (bytes in main-block input order); returns the output bytes.
  absl::StatusOr<std::vector<uint8_t>> Run(const std::vector<std::vector<uint8_t>>& inputs) {
    if (absl::Status s = graph::ValidateGraph(graph_); !s.ok()) return s;
    auto executor = GraphExecutor::Create(std::make_shared<const graph::Graph>(graph_));
    if (!executor.ok()) return executor.status();
    std::vector<std::span<const uint8_t>> in(inputs.begin(), inputs.end());
    std::vector<uint8_t> out((*executor)->StorageBytes(main().outputs[0]));
    std::vector<std::span<uint8_t>> outs = {std::span<uint8_t>(out)};
    if (absl::Status s = (*executor)->Run(in, outs); !s.ok()) return s;
    return out;
  }

 private:
  graph::TensorId Tensor(DType dtype, Shape shape, std::vector<uint8_t> data) {
    graph::Tensor t;
    t.name = "t" + std::to_string(graph_.tensors.size());
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = std::move(data);
    const auto id = static_cast<graph::TensorId>(graph_.tensors.size());
    graph_.tensors.push_back(std::move(t));
    main().tensors.push_back(id);
    return id;
  }

  graph::Block& main() { return graph_.blocks[0]; }
  graph::Graph graph_;
};

TEST(BindElementwiseTest, Fp16AddBroadcastsThroughTheFamily) {
  OneOpGraph g;
  const auto a = g.Input(DType::kFp16, {2, 2});
  const auto b = g.Input(DType::kFp16, {1, 2});
  g.Operator(Op::kAdd, {}, {a, b}, DType::kFp16, {2, 2});
  const std::vector<Fp16> x = {Narrow<Fp16>(1.0), Narrow<Fp16>(2.0), Narrow<Fp16>(2048.0),
                               Narrow<Fp16>(-4.0)};
  const std::vector<Fp16> y = {Narrow<Fp16>(0.5), Narrow<Fp16>(1.0)};
  auto out = g.Run({Bytes(x), Bytes(y)});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<double> values;
  for (Fp16 v : FromBytes<Fp16>(*out)) values.push_back(Widen(v));
  EXPECT_THAT(values, ElementsAre(1.5, 3.0, 2048.0, -3.0));  // 2048.5 ties to 2048
}

TEST(BindElementwiseTest, Bf16MulWithItsShiftOperand) {
  OneOpGraph g;
  const auto a = g.Input(DType::kBf16, {2});
  const auto b = g.Input(DType::kBf16, {2});
  const auto shift = g.Const(DType::kInt8, {1}, {0});
  g.Operator(Op::kMul, {}, {a, b, shift}, DType::kBf16, {2});
  auto out = g.Run({Bytes(std::vector<Bf16>{Narrow<Bf16>(3.0), Narrow<Bf16>(-0.5)}),
                    Bytes(std::vector<Bf16>{Narrow<Bf16>(7.0), Narrow<Bf16>(8.0)})});
  ASSERT_TRUE(out.ok()) << out.status();
  const std::vector<Bf16> result = FromBytes<Bf16>(*out);
  EXPECT_EQ(Widen(result[0]), 21.0);
  EXPECT_EQ(Widen(result[1]), -4.0);
}

TEST(BindElementwiseTest, CastInt32ToBf16AndFp32ToInt8) {
  {
    OneOpGraph g;
    const auto a = g.Input(DType::kInt32, {2});
    g.Operator(Op::kCast, {}, {a}, DType::kBf16, {2});
    auto out = g.Run({Bytes(std::vector<int32_t>{(1 << 24) + (1 << 16) + 1, -3})});
    ASSERT_TRUE(out.ok()) << out.status();
    const std::vector<Bf16> result = FromBytes<Bf16>(*out);
    EXPECT_EQ(Widen(result[0]), double{(1 << 24) + (1 << 17)});
    EXPECT_EQ(Widen(result[1]), -3.0);
  }
  {
    OneOpGraph g;
    const auto a = g.Input(DType::kFp32, {4});
    g.Operator(Op::kCast, {}, {a}, DType::kInt8, {4});
    auto out = g.Run({Bytes(std::vector<float>{2.5f, -3.5f, 1000.0f, -0.4f})});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT(FromBytes<int8_t>(*out), ElementsAre(2, -4, 127, 0));
  }
}

TEST(BindElementwiseTest, CastOfNanToAnIntegerFailsTheRun) {
  OneOpGraph g;
  const auto a = g.Input(DType::kFp32, {1});
  g.Operator(Op::kCast, {}, {a}, DType::kInt32, {1});
  auto out = g.Run({Bytes(std::vector<float>{NAN})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(out.status().message(), HasSubstr("CAST"));
}

TEST(BindElementwiseTest, NegateZeroPoints) {
  {
    OneOpGraph g;
    const auto a = g.Input(DType::kInt8, {3});
    const auto izp = g.Const(DType::kInt8, {1}, {5});
    const auto ozp = g.Const(DType::kInt8, {1}, {static_cast<uint8_t>(-3)});
    g.Operator(Op::kNegate, {}, {a, izp, ozp}, DType::kInt8, {3});
    auto out = g.Run({Bytes(std::vector<int8_t>{5, 10, -128})});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT(FromBytes<int8_t>(*out), ElementsAre(-3, -8, 127));
  }
  {
    // Zero points are for int8 only; a non-zero INT16 one is an error of the run.
    OneOpGraph g;
    const auto a = g.Input(DType::kInt16, {1});
    const auto izp = g.Input(DType::kInt16, {1});
    const auto ozp = g.Const(DType::kInt16, {1}, {0, 0});
    g.Operator(Op::kNegate, {}, {a, izp, ozp}, DType::kInt16, {1});
    auto out = g.Run({Bytes(std::vector<int16_t>{7}), Bytes(std::vector<int16_t>{1})});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(out.status().message(), HasSubstr("input1_zp"));
  }
}

TEST(BindElementwiseTest, IntDivByZeroFailsTheRun) {
  OneOpGraph g;
  const auto a = g.Input(DType::kInt32, {2});
  const auto b = g.Input(DType::kInt32, {2});
  g.Operator(Op::kIntDiv, {}, {a, b}, DType::kInt32, {2});
  auto ok = g.Run({Bytes(std::vector<int32_t>{-7, 9}), Bytes(std::vector<int32_t>{2, -4})});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_THAT(FromBytes<int32_t>(*ok), ElementsAre(-3, -2));
  auto bad = g.Run({Bytes(std::vector<int32_t>{1, 1}), Bytes(std::vector<int32_t>{1, 0})});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kOutOfRange);
}

TEST(BindElementwiseTest, SelectOfFp16AndMinimumIgnoringNan) {
  {
    OneOpGraph g;
    const auto c = g.Input(DType::kBool, {2, 1});
    const auto t = g.Input(DType::kFp16, {1, 2});
    const auto f = g.Input(DType::kFp16, {2, 2});
    g.Operator(Op::kSelect, {}, {c, t, f}, DType::kFp16, {2, 2});
    auto out = g.Run({{1, 0},
                      Bytes(std::vector<uint16_t>{0x3C00, 0x4000}),
                      Bytes(std::vector<uint16_t>{0x1, 0x2, 0x3, 0x4})});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT(FromBytes<uint16_t>(*out), ElementsAre(0x3C00, 0x4000, 0x3, 0x4));
  }
  {
    OneOpGraph g;
    const auto a = g.Input(DType::kFp32, {2});
    const auto b = g.Input(DType::kFp32, {2});
    g.Operator(Op::kMinimum, graph::MinimumAttr{graph::NanMode::kIgnore}, {a, b}, DType::kFp32,
               {2});
    auto out = g.Run({Bytes(std::vector<float>{NAN, 4.0f}), Bytes(std::vector<float>{2.0f, NAN})});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT(FromBytes<float>(*out), ElementsAre(2.0f, 4.0f));
  }
}

// CAST to FP8 rounds to nearest, ties to even. E4M3 has no infinity: past 448 it gives its NaN
// code; E5M2 overflows to infinity like an IEEE format.
TEST(BindElementwiseTest, Fp8CastsRoundToNearestEven) {
  {
    OneOpGraph g;
    const auto a = g.Input(DType::kFp32, {6});
    g.Operator(Op::kCast, {}, {a}, DType::kFp8E4M3, {6});
    // 1.0625 and 464 lie halfway between two E4M3 values; 2^-10 halfway between 0 and 2^-9.
    auto out = g.Run(
        {Bytes(std::vector<float>{1.0f, 1.0625f, 464.0f, 470.0f, -0.0f, std::ldexp(1.0f, -10)})});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT(*out, ElementsAre(0x38, 0x38, 0x7e, 0x7f, 0x80, 0x00));
  }
  {
    OneOpGraph g;
    const auto a = g.Input(DType::kFp32, {4});
    g.Operator(Op::kCast, {}, {a}, DType::kFp8E5M2, {4});
    // 61440 is halfway between 57344 (odd mantissa) and the overflow: it rounds to infinity.
    auto out = g.Run({Bytes(std::vector<float>{1.0f, 61440.0f, -1e6f, NAN})});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT(*out, ElementsAre(0x3c, 0x7c, 0xfc, 0x7e));
  }
  {
    OneOpGraph g;
    const auto a = g.Input(DType::kFp8E5M2, {3});
    g.Operator(Op::kCast, {}, {a}, DType::kFp32, {3});
    auto out = g.Run({{0x01, 0xc0, 0x7c}});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT(FromBytes<float>(*out), ElementsAre(std::ldexp(1.0f, -16), -2.0f, INFINITY));
  }
}

}  // namespace
}  // namespace inferd::cpu
