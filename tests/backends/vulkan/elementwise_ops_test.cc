// The elementwise operators on the Vulkan backend against the CPU backend: integer and BOOL
// results byte for byte (shift amounts 0 and width - 1, INT32_MIN, zero points, broadcasting
// over sizes that do not divide the workgroup); FP32 results within a tolerance of the CPU's
// (which computes in fp64 and rounds once), NaN and infinities where the CPU has them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using testing::Buffers;
using testing::Count;
using testing::ExpectSameOnBothBackends;
using testing::RandomBytes;
using testing::RandomValues;

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

std::string Name(Op op, DType dtype) {
  return std::string(graph::OpName(op)) + " " + std::string(graph::DTypeName(dtype));
}

int Bits(DType dtype) {
  return dtype == DType::kInt8 || dtype == DType::kBool ? 8 : (dtype == DType::kInt16 ? 16 : 32);
}

// A broadcast binary graph: x [3,1,65] op y [1,4,65] -> [3,4,65].
struct BinaryGraph {
  GraphBuilder builder;
  Shape x_shape = {3, 1, 65}, y_shape = {1, 4, 65}, out_shape = {3, 4, 65};

  BinaryGraph(Op op, DType in, DType out, graph::Attribute attribute = {},
              std::vector<graph::TensorId> extra = {}) {
    const auto x = builder.Input("x", in, x_shape);
    const auto y = builder.Input("y", in, y_shape);
    const auto z = builder.Tensor("z", out, out_shape);
    std::vector<graph::TensorId> inputs = {x, y};
    if (op == Op::kMul && in != DType::kFp32) {
      inputs.push_back(builder.Const("shift", DType::kInt8, {1}, std::vector<int8_t>{0}));
    }
    builder.Add(op, std::move(attribute), inputs, {z});
    builder.Output(z);
  }
};

TEST(VulkanElementwiseOpsTest, BitwiseOperatorsOnEveryIntegerType) {
  std::mt19937 rng(31);
  for (DType dtype : {DType::kInt8, DType::kInt16, DType::kInt32}) {
    for (Op op : {Op::kBitwiseAnd, Op::kBitwiseOr, Op::kBitwiseXor}) {
      BinaryGraph g(op, dtype, dtype);
      ExpectSameOnBothBackends(
          g.builder,
          {RandomBytes(rng, dtype, Count(g.x_shape)), RandomBytes(rng, dtype, Count(g.y_shape))},
          Name(op, dtype));
    }
  }
}

// Shift amounts over [0, width) with 0 and width - 1 among them, values over the whole range.
template <typename T>
Buffers ShiftInputs(std::mt19937& rng, const BinaryGraph& g, int bits) {
  std::vector<T> values = RandomValues<T>(rng, Count(g.x_shape), std::numeric_limits<T>::min(),
                                          std::numeric_limits<T>::max());
  values[0] = std::numeric_limits<T>::min();
  values[1] = -1;
  values[2] = std::numeric_limits<T>::max();
  std::vector<T> amounts = RandomValues<T>(rng, Count(g.y_shape), 0, bits - 1);
  amounts[0] = 0;
  amounts[1] = static_cast<T>(bits - 1);
  amounts[2] = 1;
  return {BytesOf(values), BytesOf(amounts)};
}

TEST(VulkanElementwiseOpsTest, ShiftsOnEveryIntegerTypeWithAndWithoutRounding) {
  std::mt19937 rng(32);
  for (DType dtype : {DType::kInt8, DType::kInt16, DType::kInt32}) {
    for (int which = 0; which < 4; ++which) {
      const Op op = which == 0   ? Op::kLogicalLeftShift
                    : which == 1 ? Op::kLogicalRightShift
                                 : Op::kArithmeticRightShift;
      graph::Attribute attribute;
      if (op == Op::kArithmeticRightShift) attribute = graph::ArithmeticRightShiftAttr{which == 3};
      BinaryGraph g(op, dtype, dtype, attribute);
      Buffers inputs = dtype == DType::kInt8    ? ShiftInputs<int8_t>(rng, g, 8)
                       : dtype == DType::kInt16 ? ShiftInputs<int16_t>(rng, g, 16)
                                                : ShiftInputs<int32_t>(rng, g, 32);
      ExpectSameOnBothBackends(g.builder, inputs, Name(op, dtype) + (which == 3 ? " round" : ""));
    }
  }
}

TEST(VulkanElementwiseOpsTest, IntDivTruncatesTowardZero) {
  std::mt19937 rng(33);
  BinaryGraph g(Op::kIntDiv, DType::kInt32, DType::kInt32);
  std::vector<int32_t> x = RandomValues<int32_t>(rng, Count(g.x_shape), kInt32Min, kInt32Max);
  x[0] = static_cast<int32_t>(kInt32Min);
  x[1] = -7;
  x[2] = 7;
  std::vector<int32_t> y = RandomValues<int32_t>(rng, Count(g.y_shape), -1000, 1000);
  for (int32_t& v : y) {
    if (v == 0 || v == -1) v = 3;  // division by zero and INT32_MIN / -1 are errors on the CPU
  }
  y[0] = 1;
  y[1] = 2;
  y[2] = -2;
  ExpectSameOnBothBackends(g.builder, {BytesOf(x), BytesOf(y)}, "INTDIV");
}

TEST(VulkanElementwiseOpsTest, ComparisonsAndLogicalOperatorsGiveBool) {
  std::mt19937 rng(34);
  for (Op op : {Op::kEqual, Op::kGreater, Op::kGreaterEqual}) {
    {
      BinaryGraph g(op, DType::kInt32, DType::kBool);
      // A narrow range so that equality happens; the extremes for the signed comparison.
      std::vector<int32_t> x = RandomValues<int32_t>(rng, Count(g.x_shape), -3, 3);
      std::vector<int32_t> y = RandomValues<int32_t>(rng, Count(g.y_shape), -3, 3);
      x[0] = static_cast<int32_t>(kInt32Min);
      y[1] = static_cast<int32_t>(kInt32Max);
      ExpectSameOnBothBackends(g.builder, {BytesOf(x), BytesOf(y)}, Name(op, DType::kInt32));
    }
    {
      BinaryGraph g(op, DType::kFp32, DType::kBool);
      std::vector<float> x(Count(g.x_shape)), y(Count(g.y_shape));
      for (float& v : x) v = static_cast<float>(RandomValues<int>(rng, 1, -3, 3)[0]) * 0.5f;
      for (float& v : y) v = static_cast<float>(RandomValues<int>(rng, 1, -3, 3)[0]) * 0.5f;
      x[0] = std::numeric_limits<float>::quiet_NaN();
      y[0] = std::numeric_limits<float>::quiet_NaN();
      x[1] = -0.0f;
      y[1] = 0.0f;
      x[2] = std::numeric_limits<float>::infinity();
      ExpectSameOnBothBackends(g.builder, {BytesOf(x), BytesOf(y)}, Name(op, DType::kFp32));
    }
  }
  for (Op op : {Op::kLogicalAnd, Op::kLogicalOr, Op::kLogicalXor}) {
    BinaryGraph g(op, DType::kBool, DType::kBool);
    ExpectSameOnBothBackends(g.builder,
                             {RandomBytes(rng, DType::kBool, Count(g.x_shape)),
                              RandomBytes(rng, DType::kBool, Count(g.y_shape))},
                             Name(op, DType::kBool));
  }
}

TEST(VulkanElementwiseOpsTest, MulOfInt8AndInt16GivesInt32) {
  std::mt19937 rng(35);
  for (DType dtype : {DType::kInt8, DType::kInt16}) {
    BinaryGraph g(Op::kMul, dtype, DType::kInt32);
    ExpectSameOnBothBackends(
        g.builder,
        {RandomBytes(rng, dtype, Count(g.x_shape)), RandomBytes(rng, dtype, Count(g.y_shape))},
        Name(Op::kMul, dtype));
  }
}

void ExpectUnarySame(Op op, DType dtype, std::vector<uint8_t> input) {
  const int64_t count = static_cast<int64_t>(input.size()) / (Bits(dtype) / 8);
  GraphBuilder b;
  const auto x = b.Input("x", dtype, {count});
  const auto y = b.Tensor("y", dtype, {count});
  b.Add(op, {}, {x}, {y});
  b.Output(y);
  ExpectSameOnBothBackends(b, {std::move(input)}, Name(op, dtype));
}

TEST(VulkanElementwiseOpsTest, IntegerUnaryOperators) {
  std::mt19937 rng(36);
  const int64_t count = 131;
  // ABS of INT32_MIN and NEGATE of it (zero points 0) are errors on the CPU; every other value.
  std::vector<int32_t> values = RandomValues<int32_t>(rng, count, kInt32Min + 1, kInt32Max);
  values[0] = 0;
  values[1] = -1;
  values[2] = static_cast<int32_t>(kInt32Max);
  values[3] = static_cast<int32_t>(kInt32Min + 1);
  ExpectUnarySame(Op::kAbs, DType::kInt32, BytesOf(values));
  ExpectUnarySame(Op::kBitwiseNot, DType::kInt32, BytesOf(values));
  values[4] = static_cast<int32_t>(kInt32Min);
  values[5] = 1;
  ExpectUnarySame(Op::kClz, DType::kInt32, BytesOf(values));
  for (DType dtype : {DType::kInt8, DType::kInt16}) {
    ExpectUnarySame(Op::kBitwiseNot, dtype, RandomBytes(rng, dtype, count));
  }
  ExpectUnarySame(Op::kLogicalNot, DType::kBool, RandomBytes(rng, DType::kBool, count));
}

TEST(VulkanElementwiseOpsTest, NegateWithZeroPointsClipsToTheType) {
  std::mt19937 rng(37);
  for (int8_t input_zp : {0, -128, 127, 5}) {
    for (int8_t output_zp : {0, 127, -3}) {
      GraphBuilder b;
      const auto x = b.Input("x", DType::kInt8, {97});
      const auto izp = b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{input_zp});
      const auto ozp = b.Const("ozp", DType::kInt8, {1}, std::vector<int8_t>{output_zp});
      const auto y = b.Tensor("y", DType::kInt8, {97});
      b.Add(Op::kNegate, {}, {x, izp, ozp}, {y});
      b.Output(y);
      ExpectSameOnBothBackends(
          b, {RandomBytes(rng, DType::kInt8, 97)},
          "NEGATE INT8 zp " + std::to_string(input_zp) + "/" + std::to_string(output_zp));
    }
  }
  for (DType dtype : {DType::kInt16, DType::kInt32}) {
    GraphBuilder b;
    const auto x = b.Input("x", dtype, {97});
    const auto izp = b.ConstBytes("izp", dtype, {1}, std::vector<uint8_t>(Bits(dtype) / 8, 0));
    const auto ozp = b.ConstBytes("ozp", dtype, {1}, std::vector<uint8_t>(Bits(dtype) / 8, 0));
    const auto y = b.Tensor("y", dtype, {97});
    b.Add(Op::kNegate, {}, {x, izp, ozp}, {y});
    b.Output(y);
    std::vector<uint8_t> input = RandomBytes(rng, dtype, 97);
    if (dtype == DType::kInt32) {  // -INT32_MIN leaves int32: an error on the CPU
      for (size_t i = 0; i < 97; ++i) {
        int32_t v;
        std::memcpy(&v, &input[i * 4], 4);
        if (v == kInt32Min) input[i * 4] = 1;
      }
    }
    ExpectSameOnBothBackends(b, {input}, Name(Op::kNegate, dtype));
  }
}

TEST(VulkanElementwiseOpsTest, CastBetweenEveryPairOfTypes) {
  std::mt19937 rng(38);
  const DType types[] = {DType::kBool, DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp32};
  const int64_t count = 203;
  for (DType from : types) {
    for (DType to : types) {
      std::vector<uint8_t> input;
      if (from == DType::kFp32) {
        // Ties of both parities, values beyond every integer range, signed zeros.
        std::vector<float> values(count);
        std::uniform_real_distribution<float> wide(-3e9f, 3e9f), narrow(-200.0f, 200.0f);
        for (int64_t i = 0; i < count; ++i) {
          values[i] =
              i % 3 == 0 ? wide(rng) : (i % 3 == 1 ? narrow(rng) : std::round(narrow(rng) * 2) / 2);
        }
        const float edges[] = {0.5f,
                               1.5f,
                               2.5f,
                               -0.5f,
                               -2.5f,
                               -0.0f,
                               127.5f,
                               -128.5f,
                               32767.5f,
                               -32768.5f,
                               2147483648.0f,
                               -2147483648.0f,
                               2147483520.0f,
                               std::numeric_limits<float>::infinity(),
                               -std::numeric_limits<float>::infinity(),
                               1e-30f};
        for (size_t i = 0; i < std::size(edges); ++i) values[i] = edges[i];
        input = BytesOf(values);
      } else {
        input = RandomBytes(rng, from, count);
      }
      GraphBuilder b;
      const auto x = b.Input("x", from, {count});
      const auto y = b.Tensor("y", to, {count});
      b.Add(Op::kCast, {}, {x}, {y});
      b.Output(y);
      ExpectSameOnBothBackends(b, {input},
                               "CAST " + std::string(graph::DTypeName(from)) + " -> " +
                                   std::string(graph::DTypeName(to)));
    }
  }
}

TEST(VulkanElementwiseOpsTest, SelectBroadcastsEveryOperand) {
  std::mt19937 rng(39);
  for (DType dtype : {DType::kBool, DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp32}) {
    GraphBuilder b;
    const auto c = b.Input("c", DType::kBool, {3, 1, 67});
    const auto t = b.Input("t", dtype, {1, 5, 67});
    const auto f = b.Input("f", dtype, {3, 5, 1});
    const auto y = b.Tensor("y", dtype, {3, 5, 67});
    b.Add(Op::kSelect, {}, {c, t, f}, {y});
    b.Output(y);
    ExpectSameOnBothBackends(b,
                             {RandomBytes(rng, DType::kBool, 3 * 67),
                              RandomBytes(rng, dtype, 5 * 67), RandomBytes(rng, dtype, 3 * 5)},
                             Name(Op::kSelect, dtype));
  }
}

// FP32: the GPU's result within `relative` of the CPU's (or `absolute` of it near zero), and
// NaN, infinities and signs of infinities where the CPU has them. With `argument_ulps` the
// relative bound grows by that many ulps per unit of |input| (EXP and POW lose precision with
// the size of their exponent: Vulkan allows EXP 3 + 2|x| ulp, which TOSA's bound for it exceeds).
void ExpectFloatClose(const std::vector<uint8_t>& cpu, const std::vector<uint8_t>& gpu,
                      const std::vector<float>& input, double relative, double absolute,
                      const std::string& what, double argument_ulps = 0) {
  ASSERT_EQ(cpu.size(), gpu.size());
  for (size_t i = 0; i < cpu.size() / 4; ++i) {
    float e, g;
    std::memcpy(&e, &cpu[i * 4], 4);
    std::memcpy(&g, &gpu[i * 4], 4);
    if (std::isnan(e) || std::isinf(e)) {
      EXPECT_TRUE(std::isnan(e) ? std::isnan(g) : g == e)
          << what << " of " << input[i % input.size()] << ": CPU " << e << ", GPU " << g;
      continue;
    }
    const double ulps = argument_ulps * std::fabs(input[i % input.size()]);
    const double bound =
        std::max(absolute, (relative + ulps * std::ldexp(1.0, -23)) * std::fabs(e));
    EXPECT_LE(std::fabs(static_cast<double>(g) - e), bound)
        << what << " of " << input[i % input.size()] << ": CPU " << e << ", GPU " << g;
  }
}

TEST(VulkanElementwiseOpsTest, Fp32UnaryOperatorsAreWithinTolerance) {
  std::mt19937 rng(40);
  struct Case {
    Op op;
    float low, high;
    double relative, absolute;
    std::vector<float> edges;
    double argument_ulps = 0;
  };
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Results below the smallest normal may be flushed to zero (TOSA's bounds allow it).
  const double flt_min = std::numeric_limits<float>::min();
  const Case cases[] = {
      {Op::kAbs, -100, 100, 0, 0, {-0.0f, inf, -inf, nan}},
      {Op::kNegate, -100, 100, 0, 0, {-0.0f, 0.0f, inf, nan}},
      {Op::kFloor, -100, 100, 0, 0, {-0.5f, 0.5f, -0.0f, inf}},
      {Op::kCeil, -100, 100, 0, 0, {-0.5f, 0.5f, -0.0f, -inf}},
      {Op::kExp, -80, 80, 4e-7, flt_min, {0.0f, -inf, inf, 89.0f, -104.0f, nan}, 2},
      {Op::kLog, 1e-6f, 1000, 4e-7, 0, {0.0f, -1.0f, 1.0f, inf, 1.0000001f, nan}},
      {Op::kSin, -10, 10, 0, 1e-6, {0.0f, -0.0f, 3.14159265f}},
      {Op::kCos, -10, 10, 0, 1e-6, {0.0f, 3.14159265f, 1.5707964f}},
      {Op::kReciprocal, -100, 100, 3e-7, 0, {0.0f, -0.0f, inf, 1e-30f}},
      {Op::kRsqrt, 1e-6f, 1000, 3e-7, 0, {0.0f, -0.0f, -1.0f, inf, nan}},
      {Op::kSigmoid, -30, 30, 5e-7, flt_min, {0.0f, -100.0f, 100.0f, -inf, inf}, 2},
      {Op::kTanh, -10, 10, 5e-7, 0, {0.0f, 1e-4f, -1e-6f, 0.6f, 0.65f, 20.0f, -inf}},
      {Op::kErf, -5, 5, 5e-7, 0, {0.0f, 1e-4f, -1e-6f, 0.49f, 0.51f, 3.0f, -inf, inf}},
  };
  for (const Case& c : cases) {
    std::uniform_real_distribution<float> dist(c.low, c.high);
    std::vector<float> input(157);
    for (float& v : input) v = dist(rng);
    for (size_t i = 0; i < c.edges.size(); ++i) input[i] = c.edges[i];
    GraphBuilder b;
    const auto x = b.Input("x", DType::kFp32, {157});
    const auto y = b.Tensor("y", DType::kFp32, {157});
    std::vector<graph::TensorId> inputs = {x};
    if (c.op == Op::kNegate) {
      inputs.push_back(b.Const("izp", DType::kFp32, {1}, std::vector<float>{0}));
      inputs.push_back(b.Const("ozp", DType::kFp32, {1}, std::vector<float>{0}));
    }
    b.Add(c.op, {}, inputs, {y});
    b.Output(y);
    auto graph = b.Build();
    auto cpu = testing::RunOnCpu(graph, {BytesOf(input)});
    ASSERT_TRUE(cpu.ok()) << cpu.status();
    auto gpu = testing::RunOnGpu(graph, {BytesOf(input)});
    ASSERT_TRUE(gpu.ok()) << gpu.status();
    ExpectFloatClose((*cpu)[0], (*gpu)[0], input, c.relative, c.absolute,
                     std::string(graph::OpName(c.op)), c.argument_ulps);
  }
}

// FP32 ADD, SUB and MUL of operands of the output's shape, with an element count that is a multiple
// of 4, run four elements an invocation (binary_packed.comp); a broadcast or an odd count keeps
// the general shader. Either way the bytes are the CPU's, infinities, NaNs and signed zeros
// included.
TEST(VulkanElementwiseOpsTest, Fp32AddSubMulOfSameShapesTakeFourElementsAtATime) {
  std::mt19937 rng(43);
  std::uniform_real_distribution<float> value(-1000.0f, 1000.0f);
  struct Case {
    Shape x, y, out;
    const char* shader;
  };
  const Case cases[] = {
      {{2, 3, 8}, {2, 3, 8}, {2, 3, 8}, "binary_f32_p4"},
      {{2, 1, 8}, {2, 3, 8}, {2, 3, 8}, "binary_f32"},  // a broadcast
      {{3, 5}, {3, 5}, {3, 5}, "binary_f32"},           // 15 elements
  };
  for (const Op op : {Op::kAdd, Op::kSub, Op::kMul}) {
    for (const Case& c : cases) {
      GraphBuilder b;
      const auto x = b.Input("x", DType::kFp32, c.x);
      const auto y = b.Input("y", DType::kFp32, c.y);
      const auto z = b.Tensor("z", DType::kFp32, c.out);
      std::vector<graph::TensorId> inputs = {x, y};
      if (op == Op::kMul) {
        inputs.push_back(b.Const("shift", DType::kInt8, {1}, std::vector<int8_t>{0}));
      }
      b.Add(op, {}, inputs, {z});
      b.Output(z);
      EXPECT_EQ(testing::ShadersOf(b), std::vector<std::string>{c.shader})
          << Name(op, DType::kFp32);
      std::vector<float> xs(Count(c.x)), ys(Count(c.y));
      for (float& v : xs) v = value(rng);
      for (float& v : ys) v = value(rng);
      xs[0] = std::numeric_limits<float>::quiet_NaN();
      xs[1] = -0.0f;
      ys[1] = 0.0f;
      xs[2] = std::numeric_limits<float>::infinity();
      xs[3] = 3e38f;
      ys[3] = 3e38f;
      ExpectSameOnBothBackends(b, {BytesOf(xs), BytesOf(ys)},
                               Name(op, DType::kFp32) + " " + c.shader);
    }
  }
}

TEST(VulkanElementwiseOpsTest, Fp32PowIsWithinTolerance) {
  std::mt19937 rng(41);
  BinaryGraph g(Op::kPow, DType::kFp32, DType::kFp32);
  std::uniform_real_distribution<float> base(0.01f, 10.0f), exponent(-8.0f, 8.0f);
  std::vector<float> x(Count(g.x_shape)), y(Count(g.y_shape));
  for (float& v : x) v = base(rng);
  for (float& v : y) v = exponent(rng);
  auto graph = g.builder.Build();
  auto cpu = testing::RunOnCpu(graph, {BytesOf(x), BytesOf(y)});
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  auto gpu = testing::RunOnGpu(graph, {BytesOf(x), BytesOf(y)});
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  ExpectFloatClose((*cpu)[0], (*gpu)[0], x, 2e-6, 0, "POW");
}

}  // namespace
}  // namespace inferd::vulkan
