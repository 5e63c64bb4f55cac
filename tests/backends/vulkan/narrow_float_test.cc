// FP16, BF16 and the FP8s on the Vulkan backend against the CPU backend. The GPU stores them as
// their bits and computes in fp32, rounding once at the store (shaders/float_storage.glsl); where
// that is exact -- CAST, and +, -, *, MAXIMUM, MINIMUM, ABS, NEGATE, CEIL, FLOOR, comparisons,
// MAX_POOL2D and the data-movement operators -- the outputs must equal the CPU's bit for bit,
// over every bit pattern of the 8- and 16-bit formats (NaNs, infinities, subnormals, both zeros)
// and over fp32 values chosen to land on rounding ties and past each format's range.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
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
using testing::ExpectSameOnBothBackends;

constexpr DType kNarrowFloats[] = {DType::kFp16, DType::kBf16, DType::kFp8E4M3, DType::kFp8E5M2};

int Width(DType dtype) { return dtype == DType::kFp16 || dtype == DType::kBf16 ? 2 : 1; }

std::string Name(const std::string& what, DType from, DType to) {
  return what + " " + std::string(graph::DTypeName(from)) + "->" +
         std::string(graph::DTypeName(to));
}

// Every bit pattern of a 1- or 2-byte type, in order.
std::vector<uint8_t> EveryBitPattern(DType dtype) {
  if (Width(dtype) == 1) {
    std::vector<uint8_t> bytes(256);
    for (int i = 0; i < 256; ++i) bytes[i] = static_cast<uint8_t>(i);
    return bytes;
  }
  std::vector<uint16_t> values(65536);
  for (int i = 0; i < 65536; ++i) values[i] = static_cast<uint16_t>(i);
  return BytesOf(values);
}

// FP32 values that test rounding into every narrow format: for each 16-bit pattern p, the fp32
// numbers whose top half is p with the low half at the tie point, just below and just above it
// (BF16's ties, and FP16's and FP8's at various magnitudes), plus specials and random values.
std::vector<uint8_t> RoundingProbes() {
  std::vector<uint32_t> bits;
  for (uint32_t top = 0; top < 65536; top += 3) {
    for (uint32_t low : {0x0000u, 0x7FFFu, 0x8000u, 0x8001u, 0x1000u, 0xF000u}) {
      bits.push_back((top << 16) | low);
    }
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 20000; ++i) bits.push_back(any(rng));
  // FP16's and FP8's tie points around 1.0 and the largest finite values, and overflow.
  for (float v : {1.0f + 1.0f / 2048, 1.0f + 3.0f / 2048, 65504.0f, 65519.0f, 65520.0f, 448.0f,
                  464.0f, 480.0f, 57344.0f, 61440.0f, 5.96e-8f, 2.98e-8f, 1e-45f, -0.0f}) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    bits.push_back(b);
  }
  return BytesOf(bits);
}

// Whether the 16-bit value `bits` of `dtype` is a NaN.
bool IsNan16(uint16_t bits, DType dtype) {
  return dtype == DType::kFp16 ? (bits & 0x7C00) == 0x7C00 && (bits & 0x03FF) != 0
                               : (bits & 0x7F80) == 0x7F80 && (bits & 0x007F) != 0;
}

void ExpectCastSame(DType from, DType to, const std::vector<uint8_t>& input, int element_width) {
  GraphBuilder builder;
  const Shape shape = {static_cast<int64_t>(input.size() / element_width)};
  const auto x = builder.Input("x", from, shape);
  const auto y = builder.Tensor("y", to, shape);
  builder.Add(Op::kCast, {}, {x}, {y});
  builder.Output(y);
  ExpectSameOnBothBackends(builder, {input}, Name("CAST", from, to));
}

TEST(VulkanNarrowFloatTest, CastFromFp32RoundsLikeTheCpu) {
  const std::vector<uint8_t> probes = RoundingProbes();
  for (DType to : kNarrowFloats) ExpectCastSame(DType::kFp32, to, probes, 4);
}

TEST(VulkanNarrowFloatTest, CastOfEveryBitPatternMatchesTheCpu) {
  for (DType from : kNarrowFloats) {
    const std::vector<uint8_t> patterns = EveryBitPattern(from);
    std::vector<DType> targets = {DType::kFp32, DType::kFp16, DType::kBf16};
    if (from == DType::kFp16 || from == DType::kBf16) {
      targets.insert(targets.end(), {DType::kFp8E4M3, DType::kFp8E5M2, DType::kInt8, DType::kInt16,
                                     DType::kInt32, DType::kBool});
    }
    for (DType to : targets) {
      const bool to_integer = to == DType::kInt8 || to == DType::kInt16 || to == DType::kInt32;
      if (!to_integer) {
        ExpectCastSame(from, to, patterns, Width(from));
        continue;
      }
      // CAST of a NaN to an integer is an error on the CPU (the specification leaves it
      // unpredictable): those patterns become zeros; infinities saturate on both.
      std::vector<uint16_t> values(patterns.size() / 2);
      std::memcpy(values.data(), patterns.data(), patterns.size());
      for (uint16_t& v : values) {
        if (IsNan16(v, from)) v = 0;
      }
      ExpectCastSame(from, to, BytesOf(values), 2);
    }
  }
}

TEST(VulkanNarrowFloatTest, CastFromIntegersRoundsOnceEvenPast24Bits) {
  std::vector<int32_t> values = {0,         1,         -1,        2049,          -2049,
                                 65519,     65520,     1 << 24,   (1 << 24) + 1, 16777219,
                                 33554435,  INT32_MAX, INT32_MIN, INT32_MIN + 1, 0x7FFFFF80,
                                 0x40000040};
  std::mt19937 rng(11);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 5000; ++i) values.push_back(any(rng) >> (i % 31));
  for (DType to : {DType::kFp16, DType::kBf16}) {
    ExpectCastSame(DType::kInt32, to, BytesOf(values), 4);
    std::vector<int16_t> narrow(values.begin(), values.end());
    ExpectCastSame(DType::kInt16, to, BytesOf(narrow), 2);
  }
}

// Runs the graph on both backends; its one output of `dtype` (FP16 or BF16) must agree bit for
// bit, except that a NaN may have either sign: which NaN an arithmetic operation on a NaN gives
// is not specified (IEEE 754 leaves it open; x86 keeps the first operand's, lavapipe a positive
// one), and TOSA's compliance rules only ask for a NaN.
void ExpectSameUpToNanSign(GraphBuilder& builder, const Buffers& inputs, DType dtype,
                           const std::string& what) {
  auto graph = builder.Build();
  auto cpu = testing::RunOnCpu(graph, inputs);
  ASSERT_TRUE(cpu.ok()) << what << ": " << cpu.status();
  auto gpu = testing::RunOnGpu(graph, inputs);
  ASSERT_TRUE(gpu.ok()) << what << ": " << gpu.status();
  ASSERT_EQ((*cpu)[0].size(), (*gpu)[0].size()) << what;
  std::vector<uint16_t> expected((*cpu)[0].size() / 2), got(expected.size());
  std::memcpy(expected.data(), (*cpu)[0].data(), expected.size() * 2);
  std::memcpy(got.data(), (*gpu)[0].data(), got.size() * 2);
  size_t nans = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (IsNan16(expected[i], dtype)) {
      ++nans;
      ASSERT_TRUE(IsNan16(got[i], dtype)) << what << ": element " << i << " got " << got[i];
    } else {
      ASSERT_EQ(got[i], expected[i]) << what << ": element " << i;
    }
  }
  EXPECT_GT(nans, 0u) << what << ": the inputs should have produced NaNs";
}

// x [N] op y [N] over every pattern of x against a shuffled copy as y.
TEST(VulkanNarrowFloatTest, ExactBinaryOperatorsMatchTheCpuOnEveryPattern) {
  for (DType dtype : {DType::kFp16, DType::kBf16}) {
    const std::vector<uint8_t> x = EveryBitPattern(dtype);
    std::vector<uint16_t> y(x.size() / 2);
    std::memcpy(y.data(), x.data(), x.size());
    std::shuffle(y.begin(), y.end(), std::mt19937(3));
    const Shape shape = {static_cast<int64_t>(y.size())};
    for (Op op :
         {Op::kAdd, Op::kSub, Op::kMul, Op::kMaximum, Op::kMinimum, Op::kGreater, Op::kEqual}) {
      GraphBuilder builder;
      const auto a = builder.Input("a", dtype, shape);
      const auto b = builder.Input("b", dtype, shape);
      const bool compare = op == Op::kGreater || op == Op::kEqual;
      const auto z = builder.Tensor("z", compare ? DType::kBool : dtype, shape);
      std::vector<graph::TensorId> inputs = {a, b};
      graph::Attribute attribute;
      if (op == Op::kMul) {
        inputs.push_back(builder.Const("shift", DType::kInt8, {1}, std::vector<int8_t>{0}));
      } else if (op == Op::kMaximum) {
        attribute = graph::MaximumAttr{graph::NanMode::kPropagate};
      } else if (op == Op::kMinimum) {
        attribute = graph::MinimumAttr{graph::NanMode::kIgnore};
      }
      builder.Add(op, attribute, inputs, {z});
      builder.Output(z);
      const std::string what = Name(std::string(graph::OpName(op)), dtype, dtype);
      if (compare) {
        ExpectSameOnBothBackends(builder, {x, BytesOf(y)}, what);
      } else {
        ExpectSameUpToNanSign(builder, {x, BytesOf(y)}, dtype, what);
      }
    }
  }
}

TEST(VulkanNarrowFloatTest, ExactUnaryOperatorsMatchTheCpuOnEveryPattern) {
  for (DType dtype : {DType::kFp16, DType::kBf16}) {
    const std::vector<uint8_t> x = EveryBitPattern(dtype);
    const Shape shape = {static_cast<int64_t>(x.size() / 2)};
    for (Op op : {Op::kAbs, Op::kNegate, Op::kCeil, Op::kFloor}) {
      GraphBuilder builder;
      const auto a = builder.Input("a", dtype, shape);
      const auto z = builder.Tensor("z", dtype, shape);
      std::vector<graph::TensorId> inputs = {a};
      if (op == Op::kNegate) {
        inputs.push_back(builder.Const("izp", dtype, {1}, std::vector<uint16_t>{0}));
        inputs.push_back(builder.Const("ozp", dtype, {1}, std::vector<uint16_t>{0}));
      }
      builder.Add(op, {}, inputs, {z});
      builder.Output(z);
      ExpectSameOnBothBackends(builder, {x}, Name(std::string(graph::OpName(op)), dtype, dtype));
    }
  }
}

TEST(VulkanNarrowFloatTest, MaxPoolAndDataMovementKeepEveryBit) {
  for (DType dtype : kNarrowFloats) {
    // [1, 16, 16, C] windows of 2x2, stride 2, over every pattern (padded with zeros).
    std::vector<uint8_t> patterns = EveryBitPattern(dtype);
    const int64_t channels = static_cast<int64_t>(patterns.size() / Width(dtype)) / 256;
    GraphBuilder builder;
    const auto x = builder.Input("x", dtype, {1, 16, 16, channels});
    const auto pooled = builder.Tensor("pooled", dtype, {1, 8, 8, channels});
    builder.Add(Op::kMaxPool2d,
                graph::MaxPool2dAttr{{2, 2}, {2, 2}, {0, 0, 0, 0}, graph::NanMode::kPropagate}, {x},
                {pooled});
    const auto perms = builder.Tensor("transposed", dtype, {channels, 16, 16, 1});
    builder.Add(Op::kTranspose, graph::TransposeAttr{{3, 1, 2, 0}}, {x}, {perms});
    builder.Output(pooled);
    builder.Output(perms);
    ExpectSameOnBothBackends(builder, {patterns},
                             "MAX_POOL2D and TRANSPOSE " + std::string(graph::DTypeName(dtype)));
  }
}

}  // namespace
}  // namespace inferd::vulkan
