#include "backends/cpu/kernels/data_layout.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

LayoutShape MakeShape(std::vector<int32_t> dims) {
  LayoutShape s;
  s.rank = static_cast<int32_t>(dims.size());
  for (int32_t i = 0; i < s.rank; ++i) s.dims[i] = dims[i];
  return s;
}

TEST(ConcatTest, Axis1OfTwoInputs) {
  // [2, 1] ++ [2, 2] along axis 1 -> [2, 3].
  const std::vector<int16_t> a = {1, 2};
  const std::vector<int16_t> b = {10, 11, 20, 21};
  std::vector<int16_t> out(6);
  ConcatParams p;
  p.output = MakeShape({2, 3});
  p.axis = 1;
  const void* inputs[] = {a.data(), b.data()};
  const int32_t sizes[] = {1, 2};
  ASSERT_EQ(Concat(p, inputs, sizes, 2, out.data(), sizeof(int16_t)), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(1, 10, 11, 2, 20, 21));
}

TEST(ConcatTest, Axis0AppendsWholeTensors) {
  const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6};
  std::vector<float> out(6);
  ConcatParams p;
  p.output = MakeShape({3, 2});
  p.axis = 0;
  const void* inputs[] = {a.data(), b.data()};
  const int32_t sizes[] = {2, 1};
  ASSERT_EQ(Concat(p, inputs, sizes, 2, out.data(), sizeof(float)), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST(PadTest, Rank2WithPadValue) {
  // [2, 2] padded by [1, 0] rows and [0, 2] columns -> [3, 4].
  const std::vector<int8_t> in = {1, 2, 3, 4};
  std::vector<int8_t> out(12);
  PadParams p;
  p.input = MakeShape({2, 2});
  const int32_t padding[] = {1, 0, 0, 2};
  for (int i = 0; i < 4; ++i) p.padding[i] = padding[i];
  const int8_t value = -7;
  ASSERT_EQ(Pad(p, in.data(), &value, out.data(), 1), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(-7, -7, -7, -7, 1, 2, -7, -7, 3, 4, -7, -7));
}

TEST(PadTest, Int48ElementsAndRank1) {
  const std::vector<int64_t> in = {int64_t{1} << 40, -5};
  std::vector<int64_t> out(5);
  PadParams p;
  p.input = MakeShape({2});
  p.padding[0] = 2;
  p.padding[1] = 1;
  const int64_t value = 9;
  ASSERT_EQ(Pad(p, in.data(), &value, out.data(), 8), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(9, 9, int64_t{1} << 40, -5, 9));
}

TEST(PadTest, RejectsOddElementSize) {
  PadParams p;
  uint8_t in[3] = {}, out[3] = {}, value[3] = {};
  EXPECT_EQ(Pad(p, in, value, out, 3), KernelStatus::kInvalidArgument);
}

TEST(ReverseTest, MiddleAxis) {
  // [2, 3, 2] reversed along axis 1.
  std::vector<int32_t> in(12);
  for (int i = 0; i < 12; ++i) in[i] = i;
  std::vector<int32_t> out(12);
  ASSERT_EQ(Reverse(MakeShape({2, 3, 2}), 1, in.data(), out.data(), 4), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7));
}

TEST(SliceTest, Rank3Window) {
  // input [2, 3, 4] holding its own offset; take start [1, 1, 1], size [1, 2, 2].
  std::vector<uint8_t> in(24);
  for (int i = 0; i < 24; ++i) in[i] = static_cast<uint8_t>(i);
  std::vector<uint8_t> out(4);
  SliceParams p;
  p.input = MakeShape({2, 3, 4});
  const int32_t start[] = {1, 1, 1}, size[] = {1, 2, 2};
  for (int i = 0; i < 3; ++i) {
    p.start[i] = start[i];
    p.size[i] = size[i];
  }
  ASSERT_EQ(Slice(p, in.data(), out.data(), 1), KernelStatus::kOk);
  // offset = 12 * 1 + 4 * y + x for y in {1, 2}, x in {1, 2}.
  EXPECT_THAT(out, ElementsAre(17, 18, 21, 22));
}

TEST(TileTest, Rank2) {
  // [2, 2] tiled [2, 3] -> [4, 6]: output[i][j] = input[i % 2][j % 2].
  const std::vector<int16_t> in = {1, 2, 3, 4};
  std::vector<int16_t> out(24);
  TileParams p;
  p.input = MakeShape({2, 2});
  p.multiples[0] = 2;
  p.multiples[1] = 3;
  ASSERT_EQ(Tile(p, in.data(), out.data(), 2), KernelStatus::kOk);
  std::vector<int16_t> expected;
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 6; ++j) expected.push_back(in[(i % 2) * 2 + j % 2]);
  }
  EXPECT_THAT(out, ElementsAreArray(expected));
}

TEST(DataLayoutTest, RankZeroCopiesOneElement) {
  const float in = 2.5f;
  float out = 0;
  PadParams pad;
  ASSERT_EQ(Pad(pad, &in, &in, &out, 4), KernelStatus::kOk);
  EXPECT_EQ(out, 2.5f);
  out = 0;
  ASSERT_EQ(Slice(SliceParams{}, &in, &out, 4), KernelStatus::kOk);
  EXPECT_EQ(out, 2.5f);
  out = 0;
  ASSERT_EQ(Tile(TileParams{}, &in, &out, 4), KernelStatus::kOk);
  EXPECT_EQ(out, 2.5f);
}

}  // namespace
}  // namespace inferd::cpu::kernels
