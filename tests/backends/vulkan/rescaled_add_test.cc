// The quantised ADD (RESCALE INT8 -> INT32 of both operands, ADD, RESCALE INT32 -> INT8, maybe a
// CLAMP) as one dispatch of rescaled_add.comp (epilogue_fusion.h's RescaledAddFusion): which
// graphs take it, and byte-identical results to the CPU backend for zero points at the ends of
// INT8's range, 32- and 16-bit multipliers, double rounding, the 64-bit and the
// exact 32-bit rescale, batches and operators between the RESCALEs and the ADD; graphs it must
// leave alone (a widened operand read twice, a broadcast, a per-channel RESCALE, an element count
// not a multiple of 4) run operator by operator with the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

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
using testing::Count;
using testing::ExpectSameOnBothBackends;
using testing::RandomValues;
using testing::ShadersOf;

struct AddCase {
  Shape shape;
  Shape b_shape;  // the second operand's (a broadcast where it differs)
  int8_t a_zp, b_zp, output_zp;
  bool scale32;
  bool double_round;
  std::optional<std::pair<int8_t, int8_t>> clamp;
  bool per_channel_out = false;
  bool widened_a_also_output = false;
  bool clamp_between = false;  // the second operand is a CLAMP computed after the first RESCALE
};

// RESCALE `name` of `x` to `to` with one multiplier and shift per tensor (or `channels`), zero
// points `input_zp` (of x's type) and `output_zp`.
TensorId AddRescaleOf(GraphBuilder& b, const std::string& name, TensorId x, DType from, DType to,
                      const Shape& shape, int32_t multiplier, int8_t shift, int64_t input_zp,
                      int64_t output_zp, const AddCase& c, bool input_unsigned,
                      int64_t channels = 1) {
  TensorId m = c.scale32
                   ? b.Const(name + "m", DType::kInt32, {channels},
                             std::vector<int32_t>(channels, multiplier))
                   : b.Const(name + "m", DType::kInt16, {channels},
                             std::vector<int16_t>(channels, static_cast<int16_t>(multiplier)));
  const auto s =
      b.Const(name + "s", DType::kInt8, {channels}, std::vector<int8_t>(channels, shift));
  const auto izp =
      from == DType::kInt8
          ? b.Const(name + "izp", from, {1}, std::vector<int8_t>{static_cast<int8_t>(input_zp)})
          : b.Const(name + "izp", from, {1}, std::vector<int32_t>{static_cast<int32_t>(input_zp)});
  const auto ozp =
      to == DType::kInt8
          ? b.Const(name + "ozp", to, {1}, std::vector<int8_t>{static_cast<int8_t>(output_zp)})
          : b.Const(name + "ozp", to, {1}, std::vector<int32_t>{static_cast<int32_t>(output_zp)});
  const auto y = b.Tensor(name + "rescaled", to, shape);
  graph::RescaleAttr attr;
  attr.scale32 = c.scale32;
  attr.rounding_mode =
      c.double_round ? graph::RoundingMode::kDoubleRound : graph::RoundingMode::kSingleRound;
  attr.per_channel = channels > 1;
  attr.input_unsigned = input_unsigned;
  b.Add(Op::kRescale, attr, {x, m, s, izp, ozp}, {y});
  return y;
}

// The quantised ADD of two INT8 inputs as `c` says, with its inputs' values.
GraphBuilder AddGraph(const AddCase& c, std::mt19937& rng, testing::Buffers& inputs) {
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, c.shape);
  const auto y = b.Input("y", DType::kInt8, c.b_shape);
  // Operands widened to about value * 2^20 (as ExecuTorch's Arm backend does), 32-bit multipliers
  // of 2^30 to 2^31 - 1 (16-bit: 2^14 to 2^15 - 1) over shifts that keep each value below
  // 2^(shift - 1), as the specification requires.
  const int32_t m_low = c.scale32 ? 1 << 30 : 1 << 14;
  const int32_t m_high = c.scale32 ? std::numeric_limits<int32_t>::max() : 32767;
  const int base_shift = c.scale32 ? 10 : 9;
  const int32_t ma = std::uniform_int_distribution<int32_t>(m_low, m_high)(rng);
  const int32_t mb = std::uniform_int_distribution<int32_t>(m_low, m_high)(rng);
  const auto sa = static_cast<int8_t>(base_shift + std::uniform_int_distribution<int>(0, 2)(rng));
  const auto sb = static_cast<int8_t>(base_shift + std::uniform_int_distribution<int>(0, 2)(rng));
  const TensorId wide_a =
      AddRescaleOf(b, "a.", x, DType::kInt8, DType::kInt32, c.shape, ma, sa, c.a_zp, 0, c, false);
  TensorId second = y;
  if (c.clamp_between) second = AddInt8Clamp(b, y, c.b_shape, -100, 90, "between");
  const TensorId wide_b = AddRescaleOf(b, "b.", second, DType::kInt8, DType::kInt32, c.b_shape, mb,
                                       sb, c.b_zp, 0, c, false);
  const auto sum = b.Tensor("sum", DType::kInt32, c.shape);
  b.Add(Op::kAdd, {}, {wide_a, wide_b}, {sum});
  // The sum's magnitude stays below 2 * 256 * m_high / 2^min(sa, sb) + 2; the output shift keeps
  // it below 2^(shift - 1) and spreads the results over INT8's range (some saturate).
  const double max_sum = 2.0 * 256.0 * m_high / std::pow(2.0, std::min(sa, sb)) + 2.0;
  const int min_shift = static_cast<int>(std::floor(std::log2(max_sum))) + 2;
  const auto so = static_cast<int8_t>(std::min(
      62, min_shift + (c.scale32 ? 18 : 2) + std::uniform_int_distribution<int>(0, 3)(rng)));
  const int64_t out_channels = c.per_channel_out ? c.shape.back() : 1;
  TensorId last = AddRescaleOf(b, "out.", sum, DType::kInt32, DType::kInt8, c.shape,
                               std::uniform_int_distribution<int32_t>(m_low, m_high)(rng), so, 0,
                               c.output_zp, c, false, out_channels);
  if (c.clamp) last = AddInt8Clamp(b, last, c.shape, c.clamp->first, c.clamp->second);
  b.Output(last);
  if (c.widened_a_also_output) b.Output(wide_a);
  std::vector<int8_t> a_values = RandomValues<int8_t>(rng, Count(c.shape), -128, 127);
  std::vector<int8_t> b_values = RandomValues<int8_t>(rng, Count(c.b_shape), -128, 127);
  a_values[0] = -128;
  a_values[1] = 127;
  b_values[0] = 127;
  b_values[1] = -128;
  inputs = {BytesOf(a_values), BytesOf(b_values)};
  return b;
}

std::string Describe(const AddCase& c) {
  return std::string("ADD of ") + std::to_string(Count(c.shape)) + " elements, zero points " +
         std::to_string(c.a_zp) + ", " + std::to_string(c.b_zp) + " -> " +
         std::to_string(c.output_zp) + (c.scale32 ? "" : " scale16") +
         (c.double_round ? " double round" : "") + (c.clamp ? " + CLAMP" : "");
}

TEST(VulkanRescaledAddTest, QuantisedAddsAreOneDispatchWithTheCpusBytes) {
  std::mt19937 rng(41);
  const std::pair<int8_t, int8_t> relu{0, 127};
  const std::pair<int8_t, int8_t> band{-20, 30};
  const AddCase cases[] = {
      {{1, 5, 6, 8}, {1, 5, 6, 8}, 3, -7, 5, true, false, std::nullopt},
      {{1, 5, 6, 8}, {1, 5, 6, 8}, -128, 127, -128, true, true, relu},
      {{2, 3, 4, 4}, {2, 3, 4, 4}, 127, -128, 127, true, false, band},
      {{1, 7, 7, 12}, {1, 7, 7, 12}, 0, 0, 0, false, false, std::nullopt},
      {{1, 4, 4, 24}, {1, 4, 4, 24}, -1, 9, 2, false, false, relu},
  };
  for (AddCase c : cases) {
    for (const bool between : {false, true}) {
      c.clamp_between = between;
      testing::Buffers inputs;
      GraphBuilder b = AddGraph(c, rng, inputs);
      std::vector<std::string> expected{"rescaled_add_i8"};
      if (between) expected.insert(expected.begin(), "clamp_i8_p4");
      EXPECT_EQ(ShadersOf(b), expected) << Describe(c);
      ExpectSameOnBothBackends(b, inputs, Describe(c) + (between ? " after a CLAMP" : ""));
    }
  }
}

TEST(VulkanRescaledAddTest, AddsItCannotTakeRunOperatorByOperatorWithTheSameBytes) {
  std::mt19937 rng(43);
  const Shape shape{1, 5, 6, 8};
  AddCase read_twice{shape, shape, 3, -7, 5, true, false, std::nullopt};
  read_twice.widened_a_also_output = true;
  AddCase per_channel{shape, shape, 3, -7, 5, true, false, std::nullopt};
  per_channel.per_channel_out = true;
  const AddCase broadcast{shape, {1, 1, 1, 8}, -5, 4, 0, true, false, std::nullopt};
  const AddCase odd_count{{1, 3, 5, 3}, {1, 3, 5, 3}, 1, 2, 3, true, false, std::nullopt};
  for (const AddCase& c : {read_twice, per_channel, broadcast, odd_count}) {
    testing::Buffers inputs;
    GraphBuilder b = AddGraph(c, rng, inputs);
    const std::vector<std::string> shaders = ShadersOf(b);
    EXPECT_EQ(std::count(shaders.begin(), shaders.end(), "rescaled_add_i8"), 0) << Describe(c);
    EXPECT_EQ(shaders.size(), 4u) << Describe(c);  // three RESCALEs and the ADD
    ExpectSameOnBothBackends(b, inputs, Describe(c));
  }
}

}  // namespace
}  // namespace inferd::vulkan
