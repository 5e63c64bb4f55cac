#include "backends/cpu/kernels/resize.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

// A [1, 1, width, 1] row resized along x only (y keeps scale 1/1).
ResizeParams Row(int32_t input_width, int32_t output_width, int32_t n, int32_t d, int32_t offset) {
  ResizeParams p;
  p.input_width = input_width;
  p.output_width = output_width;
  p.scale_x_n = n;
  p.scale_x_d = d;
  p.offset_x = offset;
  return p;
}

TEST(ResizeTest, NearestUpscaleRoundsHalfUp) {
  // Scale 2/1: sampling positions 0, 0.5, 1 -> the half-way sample takes the upper neighbour.
  const std::vector<int8_t> in = {10, 20};
  std::vector<int8_t> out(3);
  ResizeNearestInt8(Row(2, 3, 2, 1, 0), in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(10, 20, 20));
  std::vector<float> fout(3);
  const std::vector<float> fin = {10, 20};
  ResizeNearestFp32(Row(2, 3, 2, 1, 0), fin.data(), fout.data());
  EXPECT_THAT(fout, ElementsAre(10, 20, 20));
}

TEST(ResizeTest, BilinearIntegerKeepsTheScale) {
  // Weights are (2 - dx, dx) in units of 1/2 along x and 1 along y: results are doubled.
  const std::vector<int8_t> in = {10, 20};
  std::vector<int32_t> out(3);
  ResizeBilinearInt8(Row(2, 3, 2, 1, 0), in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(20, 30, 40));
  std::vector<float> fout(3);
  const std::vector<float> fin = {10, 20};
  ResizeBilinearFp32(Row(2, 3, 2, 1, 0), fin.data(), fout.data());
  EXPECT_THAT(fout, ElementsAre(10, 15, 20));
}

TEST(ResizeTest, NegativeOffsetClampsToTheEdge) {
  // offset -1 (half an input pixel at scale 2/1): the first sample sits at x = -0.5, where both
  // neighbours clamp to column 0.
  const std::vector<int8_t> in = {10, 20};
  std::vector<int32_t> out(4);
  ResizeBilinearInt8(Row(2, 4, 2, 1, -1), in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(20, 20, 30, 40));
  std::vector<int8_t> nearest(4);
  ResizeNearestInt8(Row(2, 4, 2, 1, -1), in.data(), nearest.data());
  EXPECT_THAT(nearest, ElementsAre(10, 10, 20, 20));
}

TEST(ResizeTest, DownscaleByTwoPicksEveryOtherColumn) {
  const std::vector<int16_t> in = {1, 2, 3, 4, 5};
  std::vector<int16_t> out(3);
  ResizeNearestInt16(Row(5, 3, 1, 2, 0), in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(1, 3, 5));
}

TEST(ResizeTest, BilinearInt16In2DUsesInt48Range) {
  // 2x2 input upscaled 4/1 in both directions: the centre sample weights all four corners by
  // 2 * 2, so out = 4 * sum; no int32 overflow for extreme int16 values.
  ResizeParams p;
  p.input_height = 2;
  p.input_width = 2;
  p.output_height = 5;
  p.output_width = 5;
  p.scale_y_n = 4;
  p.scale_x_n = 4;
  const std::vector<int16_t> in = {32767, 32767, 32767, -32768};
  std::vector<int64_t> out(25);
  ResizeBilinearInt16(p, in.data(), out.data());
  EXPECT_EQ(out[0], 32767 * 16);
  EXPECT_EQ(out[2 * 5 + 2], 4 * (32767 * 3 - 32768));
  EXPECT_EQ(out[24], -32768 * 16);
}

TEST(ResizeTest, Float16Types) {
  const std::vector<Fp16> in = {Narrow<Fp16>(10), Narrow<Fp16>(20)};
  std::vector<Fp16> out(3);
  ResizeBilinearFp16(Row(2, 3, 2, 1, 0), in.data(), out.data());
  EXPECT_EQ(Widen(out[1]), 15.0);
  ResizeNearestFp16(Row(2, 3, 2, 1, 0), in.data(), out.data());
  EXPECT_EQ(Widen(out[1]), 20.0);
  // Scale 3/1 puts samples at thirds; in bf16 the weight 1/3 rounds to 0.333984375 and
  // 1 - 1/3 to 0.66796875, so the interpolation of 0 and 3 at one third is 3 * 0.333984375
  // rounded to bf16.
  const std::vector<Bf16> bin = {Narrow<Bf16>(0), Narrow<Bf16>(3)};
  std::vector<Bf16> bout(4);
  ResizeBilinearBf16(Row(2, 4, 3, 1, 0), bin.data(), bout.data());
  EXPECT_EQ(Widen(bout[1]), Widen(Narrow<Bf16>(3 * Widen(Narrow<Bf16>(1.0 / 3)))));
  EXPECT_EQ(Widen(bout[3]), 3.0);
}

}  // namespace
}  // namespace inferd::cpu::kernels
