#include "backends/cpu/kernels/comparison.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using test_util::Flat;
using ::testing::ElementsAre;

template <typename T>
std::vector<uint8_t> CompareAll(CompareOp op, std::vector<T> a, std::vector<T> b) {
  std::vector<uint8_t> out(a.size());
  Compare<T>(op, Flat(static_cast<int32_t>(a.size())), a.data(), b.data(), out.data());
  return out;
}

TEST(CompareTest, Int32) {
  const std::vector<int32_t> a = {1, 2, 3, -5};
  const std::vector<int32_t> b = {2, 2, 2, 5};
  EXPECT_THAT(CompareAll(CompareOp::kEqual, a, b), ElementsAre(0, 1, 0, 0));
  EXPECT_THAT(CompareAll(CompareOp::kGreater, a, b), ElementsAre(0, 0, 1, 0));
  EXPECT_THAT(CompareAll(CompareOp::kGreaterEqual, a, b), ElementsAre(0, 1, 1, 0));
}

TEST(CompareTest, NanIsNeverEqualOrGreaterAndZerosAreEqual) {
  const std::vector<float> a = {NAN, 1.0f, NAN, -0.0f, INFINITY};
  const std::vector<float> b = {NAN, NAN, 1.0f, 0.0f, 3.0f};
  EXPECT_THAT(CompareAll(CompareOp::kEqual, a, b), ElementsAre(0, 0, 0, 1, 0));
  EXPECT_THAT(CompareAll(CompareOp::kGreater, a, b), ElementsAre(0, 0, 0, 0, 1));
  EXPECT_THAT(CompareAll(CompareOp::kGreaterEqual, a, b), ElementsAre(0, 0, 0, 1, 1));
}

TEST(CompareTest, HalfTypesAndBroadcast) {
  BroadcastShape s;
  s.rank = 2;
  s.output_dims[0] = 2;
  s.output_dims[1] = 2;
  s.input1_dims[0] = 2;
  s.input1_dims[1] = 1;
  s.input2_dims[0] = 1;
  s.input2_dims[1] = 2;
  const std::vector<Bf16> a = {Narrow<Bf16>(1.0), Narrow<Bf16>(3.0)};
  const std::vector<Bf16> b = {Narrow<Bf16>(1.0), Narrow<Bf16>(2.0)};
  std::vector<uint8_t> out(4);
  Compare<Bf16>(CompareOp::kGreaterEqual, s, a.data(), b.data(), out.data());
  EXPECT_THAT(out, ElementsAre(1, 0, 1, 1));
  const std::vector<Fp16> h = {Narrow<Fp16>(-2.0), Narrow<Fp16>(0.5)};
  const std::vector<Fp16> g = {Narrow<Fp16>(-3.0), Narrow<Fp16>(0.5)};
  EXPECT_THAT(CompareAll(CompareOp::kGreater, h, g), ElementsAre(1, 0));
}

}  // namespace
}  // namespace inferd::cpu::kernels
