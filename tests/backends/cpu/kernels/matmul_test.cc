#include "backends/cpu/kernels/matmul.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using test_util::RandomFloats;
using test_util::RandomInts;
using ::testing::ElementsAre;

template <typename InT, typename AccT>
std::vector<AccT> NaiveMatmul(const MatmulParams& p, const std::vector<InT>& a,
                              const std::vector<InT>& b) {
  std::vector<AccT> out;
  for (int n = 0; n < p.batch; ++n) {
    for (int h = 0; h < p.rows; ++h) {
      for (int w = 0; w < p.columns; ++w) {
        AccT acc = 0;
        for (int c = 0; c < p.depth; ++c) {
          const AccT va = static_cast<AccT>(a[(n * p.rows + h) * p.depth + c]) - AccT(p.a_zp);
          const AccT vb = static_cast<AccT>(b[(n * p.depth + c) * p.columns + w]) - AccT(p.b_zp);
          acc += va * vb;
        }
        out.push_back(acc);
      }
    }
  }
  return out;
}

TEST(MatmulInt8Test, HandComputed2x2WithZeroPoints) {
  MatmulParams p;
  p.rows = p.depth = p.columns = 2;
  p.a_zp = 1;
  p.b_zp = -1;
  // A - 1 = [[0, 1], [2, 3]], B + 1 = [[1, 2], [3, 4]].
  const std::vector<int8_t> a = {1, 2, 3, 4};
  const std::vector<int8_t> b = {0, 1, 2, 3};
  std::vector<int32_t> out(4);
  ASSERT_EQ(MatmulInt8(p, a.data(), b.data(), out.data()), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(3, 4, 11, 16));
}

TEST(MatmulInt8Test, MatchesNaiveLoop) {
  MatmulParams p;
  p.batch = 3;
  p.rows = 5;
  p.depth = 17;
  p.columns = 7;
  p.a_zp = -128;
  p.b_zp = 127;
  const auto a = RandomInts<int8_t>(3 * 5 * 17, -128, 127, 31);
  const auto b = RandomInts<int8_t>(3 * 17 * 7, -128, 127, 32);
  std::vector<int32_t> out(3 * 5 * 7);
  ASSERT_EQ(MatmulInt8(p, a.data(), b.data(), out.data()), KernelStatus::kOk);
  const auto expected = NaiveMatmul<int8_t, int64_t>(p, a, b);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], expected[i]) << "at " << i;
}

TEST(MatmulInt8Test, OverflowIsUnpredictable) {
  MatmulParams p;
  p.depth = 40000;
  p.a_zp = 127;
  p.b_zp = 127;
  const std::vector<int8_t> a(40000, -128), b(40000, -128);
  int32_t out = 0;
  EXPECT_EQ(MatmulInt8(p, a.data(), b.data(), &out), KernelStatus::kUnpredictable);
}

TEST(MatmulInt16Test, MatchesNaiveLoopInInt48) {
  MatmulParams p;
  p.batch = 2;
  p.rows = 3;
  p.depth = 300;
  p.columns = 4;
  const auto a = RandomInts<int16_t>(2 * 3 * 300, -32768, 32767, 33);
  const auto b = RandomInts<int16_t>(2 * 300 * 4, -32768, 32767, 34);
  std::vector<int64_t> out(2 * 3 * 4);
  ASSERT_EQ(MatmulInt16(p, a.data(), b.data(), out.data()), KernelStatus::kOk);
  const auto expected = NaiveMatmul<int16_t, int64_t>(p, a, b);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], expected[i]) << "at " << i;
}

TEST(MatmulFp32Test, MatchesNaiveLoop) {
  MatmulParams p;
  p.batch = 2;
  p.rows = 6;
  p.depth = 9;
  p.columns = 5;
  const auto a = RandomFloats(2 * 6 * 9, -1.0f, 1.0f, 35);
  const auto b = RandomFloats(2 * 9 * 5, -1.0f, 1.0f, 36);
  std::vector<float> out(2 * 6 * 5);
  MatmulFp32(p, a.data(), b.data(), out.data());
  const auto expected = NaiveMatmul<float, float>(p, a, b);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_FLOAT_EQ(out[i], expected[i]) << "at " << i;
}

}  // namespace
}  // namespace inferd::cpu::kernels
