#include "backends/cpu/kernels/argmax.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(ArgMaxTest, FirstMaximumWinsForIntegers) {
  // [2, 4] along axis 1.
  const std::vector<int8_t> in = {3, 9, 9, 1, -128, -128, -128, -128};
  std::vector<int32_t> out(2);
  ArgMaxInt8(ReduceParams{2, 4, 1}, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(1, 0));
}

TEST(ArgMaxTest, Int16AlongOuterAxis) {
  // [3, 2] along axis 0.
  const std::vector<int16_t> in = {5, -1, 7, -2, 7, 30000};
  std::vector<int32_t> out(2);
  ArgMaxInt16(ReduceParams{1, 3, 2}, in.data(), out.data());
  EXPECT_THAT(out, ElementsAre(1, 2));
}

TEST(ArgMaxTest, FloatNanModes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  // Rows: a NaN after the maximum; all NaN; all -inf; +0 then -0 (equal, the first stays).
  const std::vector<float> in = {1,    5,    nan,  2,    nan,  nan,   nan, nan,
                                 -inf, -inf, -inf, -inf, 0.0f, -0.0f, -1,  -2};
  std::vector<int32_t> out(4);
  ArgMaxFp32(ReduceParams{4, 4, 1}, in.data(), out.data(), NanMode::kPropagate);
  EXPECT_THAT(out, ElementsAre(2, 0, 0, 0));
  ArgMaxFp32(ReduceParams{4, 4, 1}, in.data(), out.data(), NanMode::kIgnore);
  EXPECT_THAT(out, ElementsAre(1, 0, 0, 0));
}

TEST(ArgMaxTest, Float16Types) {
  const std::vector<Fp16> half = {Narrow<Fp16>(1), Narrow<Fp16>(7), Narrow<Fp16>(7),
                                  Narrow<Fp16>(-3)};
  int32_t index = -1;
  ArgMaxFp16(ReduceParams{1, 4, 1}, half.data(), &index, NanMode::kPropagate);
  EXPECT_EQ(index, 1);
  const std::vector<Bf16> brain = {Narrow<Bf16>(1), Narrow<Bf16>(std::nan("")), Narrow<Bf16>(9)};
  ArgMaxBf16(ReduceParams{1, 3, 1}, brain.data(), &index, NanMode::kPropagate);
  EXPECT_EQ(index, 1);
  ArgMaxBf16(ReduceParams{1, 3, 1}, brain.data(), &index, NanMode::kIgnore);
  EXPECT_EQ(index, 2);
}

}  // namespace
}  // namespace inferd::cpu::kernels
