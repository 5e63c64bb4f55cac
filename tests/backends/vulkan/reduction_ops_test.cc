// REDUCE_* and ARGMAX on the Vulkan backend against the CPU backend, byte for byte (FP32 SUM and
// PRODUCT too: both fold the axis in the same order), on every axis of randomised shapes, with
// ties, NaNs under both NaN modes, and the extremes of each type. FP32 zeros may differ in sign:
// lavapipe's REDUCE_MIN of -0 and +0 gave +0 where the CPU gives the first (TOSA accepts either).
#include <gtest/gtest.h>

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
using testing::Count;
using testing::ExpectSameOnBothBackends;
using testing::RandomBytes;
using testing::RandomValues;

graph::Attribute ReduceAttribute(Op op, int32_t axis, graph::NanMode nan_mode) {
  switch (op) {
    case Op::kReduceSum:
      return graph::ReduceSumAttr{axis};
    case Op::kReduceProduct:
      return graph::ReduceProductAttr{axis};
    case Op::kReduceMax:
      return graph::ReduceMaxAttr{axis, nan_mode};
    case Op::kReduceMin:
      return graph::ReduceMinAttr{axis, nan_mode};
    case Op::kReduceAny:
      return graph::ReduceAnyAttr{axis};
    case Op::kReduceAll:
      return graph::ReduceAllAttr{axis};
    default:
      return graph::ArgMaxAttr{axis, nan_mode};
  }
}

// Values with ties (a narrow range) and, for FP32, NaNs and signed zeros.
std::vector<uint8_t> Values(std::mt19937& rng, Op op, DType dtype, size_t count) {
  if (dtype == DType::kFp32) {
    std::vector<float> values(count);
    const float spread = op == Op::kReduceProduct ? 1.5f : 4.0f;
    std::uniform_real_distribution<float> dist(-spread, spread);
    for (size_t i = 0; i < count; ++i) {
      values[i] = i % 5 == 0 ? std::round(dist(rng)) : dist(rng);
      if (i % 23 == 7) values[i] = std::numeric_limits<float>::quiet_NaN();
      if (i % 31 == 3) values[i] = -0.0f;
    }
    return BytesOf(values);
  }
  if (dtype == DType::kInt32 && op == Op::kReduceSum) {  // no int32 overflow (a CPU error)
    return BytesOf(RandomValues<int32_t>(rng, count, -(1 << 24), 1 << 24));
  }
  if (dtype == DType::kBool) {
    // Mostly true so that ALL is sometimes true too.
    std::vector<uint8_t> values = RandomValues<uint8_t>(rng, count, 0, 7);
    for (uint8_t& v : values) v = v != 0 ? 1 : 0;
    return values;
  }
  std::vector<uint8_t> values = RandomBytes(rng, dtype, count);
  if (count > 4) {  // ties: copy a few elements onto others
    const size_t width = values.size() / count;
    std::memcpy(&values[width], &values[0], width);
    std::memcpy(&values[3 * width], &values[2 * width], width);
  }
  return values;
}

TEST(VulkanReductionOpsTest, EveryReductionOnEveryAxis) {
  std::mt19937 rng(51);
  struct Case {
    Op op;
    std::vector<DType> types;
  };
  const Case cases[] = {
      {Op::kReduceSum, {DType::kInt32, DType::kFp32}},
      {Op::kReduceProduct, {DType::kFp32}},
      {Op::kReduceMax, {DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp32}},
      {Op::kReduceMin, {DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp32}},
      {Op::kReduceAny, {DType::kBool}},
      {Op::kReduceAll, {DType::kBool}},
      {Op::kArgMax, {DType::kInt8, DType::kInt16, DType::kFp32}},
  };
  for (const Case& c : cases) {
    for (DType dtype : c.types) {
      for (int rank = 1; rank <= 4; ++rank) {
        Shape shape(rank);
        for (int64_t& d : shape) d = std::uniform_int_distribution<int64_t>(1, 9)(rng);
        for (int32_t axis = 0; axis < rank; ++axis) {
          for (graph::NanMode nan_mode : {graph::NanMode::kPropagate, graph::NanMode::kIgnore}) {
            const bool has_nan_mode =
                c.op == Op::kReduceMax || c.op == Op::kReduceMin || c.op == Op::kArgMax;
            if (!has_nan_mode && nan_mode == graph::NanMode::kIgnore) continue;
            Shape out = shape;
            if (c.op == Op::kArgMax) {
              out.erase(out.begin() + axis);
            } else {
              out[axis] = 1;
            }
            GraphBuilder b;
            const auto x = b.Input("x", dtype, shape);
            const auto y = b.Tensor("y", c.op == Op::kArgMax ? DType::kInt32 : dtype, out);
            b.Add(c.op, ReduceAttribute(c.op, axis, nan_mode), {x}, {y});
            b.Output(y);
            ExpectSameOnBothBackends(b, {Values(rng, c.op, dtype, Count(shape))},
                                     std::string(graph::OpName(c.op)) + " " +
                                         std::string(graph::DTypeName(dtype)) + " axis " +
                                         std::to_string(axis) + " nan_mode " +
                                         std::to_string(static_cast<int>(nan_mode)),
                                     /*fp32_zero_sign=*/dtype != DType::kFp32);
          }
        }
      }
    }
  }
}

TEST(VulkanReductionOpsTest, ReductionOverAnAxisLongerThanAWorkgroup) {
  std::mt19937 rng(52);
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt32, {3, 1000, 5});
  const auto y = b.Tensor("y", DType::kInt32, {3, 1, 5});
  b.Add(Op::kReduceSum, graph::ReduceSumAttr{1}, {x}, {y});
  b.Output(y);
  const auto h = b.Input("h", DType::kInt16, {3, 1000, 5});
  const auto z = b.Tensor("z", DType::kInt32, {3, 5});
  b.Add(Op::kArgMax, graph::ArgMaxAttr{1, graph::NanMode::kPropagate}, {h}, {z});
  b.Output(z);
  ExpectSameOnBothBackends(b,
                           {BytesOf(RandomValues<int32_t>(rng, 15000, -100000, 100000)),
                            RandomBytes(rng, DType::kInt16, 15000)},
                           "REDUCE_SUM and ARGMAX over 1000");
}

}  // namespace
}  // namespace inferd::vulkan
