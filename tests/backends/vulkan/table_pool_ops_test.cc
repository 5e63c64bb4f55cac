// TABLE and AVG_POOL2D on the Vulkan backend against the CPU backend, byte for byte: every INT8
// and INT16 input value through random tables (the INT16 one interpolating, with slopes of both
// signs), and average pooling with zero points, padding that shrinks the window's count, and
// window counts whose reciprocal_scale shifts differ.
#include <gtest/gtest.h>

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
using testing::ExpectSameOnBothBackends;
using testing::RandomBytes;
using testing::RandomValues;

TEST(VulkanTablePoolOpsTest, Int8TableOverEveryValue) {
  std::mt19937 rng(61);
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt8, {256});
  const auto table =
      b.Const("table", DType::kInt8, {256}, RandomValues<int8_t>(rng, 256, -128, 127));
  const auto y = b.Tensor("y", DType::kInt8, {256});
  b.Add(Op::kTable, {}, {x, table}, {y});
  b.Output(y);
  std::vector<int8_t> values(256);
  for (int i = 0; i < 256; ++i) values[i] = static_cast<int8_t>(i - 128);
  ExpectSameOnBothBackends(b, {BytesOf(values)}, "TABLE INT8");
}

TEST(VulkanTablePoolOpsTest, Int16TableInterpolatesOverEveryValue) {
  std::mt19937 rng(62);
  // Neighbouring entries within int16 of each other (a larger slope is an error on the CPU).
  std::vector<int16_t> entries(513);
  int32_t value = -20000;
  for (int16_t& e : entries) {
    value =
        std::clamp<int32_t>(value + RandomValues<int32_t>(rng, 1, -3000, 3000)[0], -32768, 32767);
    e = static_cast<int16_t>(value);
  }
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt16, {65536});
  const auto table = b.Const("table", DType::kInt16, {513}, entries);
  const auto y = b.Tensor("y", DType::kInt32, {65536});
  b.Add(Op::kTable, {}, {x, table}, {y});
  b.Output(y);
  std::vector<int16_t> values(65536);
  for (int i = 0; i < 65536; ++i) values[i] = static_cast<int16_t>(i - 32768);
  ExpectSameOnBothBackends(b, {BytesOf(values)}, "TABLE INT16");
}

TEST(VulkanTablePoolOpsTest, AvgPool2dWithZeroPointsAndPadding) {
  std::mt19937 rng(63);
  struct Case {
    DType dtype;
    int64_t n, h, w, c;
    int32_t kh, kw, sy, sx;
    std::vector<int32_t> pad;
    int64_t izp, ozp;
  };
  const Case cases[] = {
      {DType::kInt8, 2, 9, 7, 5, 3, 3, 2, 2, {1, 1, 1, 1}, -128, 127},
      {DType::kInt8, 1, 11, 13, 3, 5, 4, 1, 3, {2, 2, 0, 3}, 7, -5},
      {DType::kInt8, 1, 6, 6, 67, 6, 6, 1, 1, {0, 0, 0, 0}, 0, 0},
      {DType::kInt16, 1, 8, 9, 4, 3, 2, 1, 1, {1, 1, 1, 0}, 0, 0},
      {DType::kFp32, 2, 7, 7, 3, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0},
  };
  for (const Case& c : cases) {
    const int64_t oh = (c.h + c.pad[0] + c.pad[1] - c.kh) / c.sy + 1;
    const int64_t ow = (c.w + c.pad[2] + c.pad[3] - c.kw) / c.sx + 1;
    GraphBuilder b;
    const auto x = b.Input("x", c.dtype, {c.n, c.h, c.w, c.c});
    graph::TensorId izp, ozp;
    if (c.dtype == DType::kInt8) {
      izp = b.Const("izp", DType::kInt8, {1}, std::vector<int8_t>{static_cast<int8_t>(c.izp)});
      ozp = b.Const("ozp", DType::kInt8, {1}, std::vector<int8_t>{static_cast<int8_t>(c.ozp)});
    } else if (c.dtype == DType::kInt16) {
      izp = b.Const("izp", DType::kInt16, {1}, std::vector<int16_t>{0});
      ozp = b.Const("ozp", DType::kInt16, {1}, std::vector<int16_t>{0});
    } else {
      izp = b.Const("izp", DType::kFp32, {1}, std::vector<float>{0});
      ozp = b.Const("ozp", DType::kFp32, {1}, std::vector<float>{0});
    }
    const auto y = b.Tensor("y", c.dtype, {c.n, oh, ow, c.c});
    graph::AvgPool2dAttr attr;
    attr.kernel = {c.kh, c.kw};
    attr.stride = {c.sy, c.sx};
    attr.pad = c.pad;
    attr.acc_type = c.dtype == DType::kFp32 ? DType::kFp32 : DType::kInt32;
    b.Add(Op::kAvgPool2d, attr, {x, izp, ozp}, {y});
    b.Output(y);
    ExpectSameOnBothBackends(b, {RandomBytes(rng, c.dtype, c.n * c.h * c.w * c.c)},
                             "AVG_POOL2D " + std::string(graph::DTypeName(c.dtype)) + " " +
                                 std::to_string(c.kh) + "x" + std::to_string(c.kw));
  }
}

}  // namespace
}  // namespace inferd::vulkan
