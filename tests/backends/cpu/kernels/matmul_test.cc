#include "backends/cpu/kernels/matmul.h"

#include <cmath>
#include <cstdint>
#include <type_traits>
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

// An fp16 accumulator rounds after every step: 2048 + 1 is 2049, which fp16 cannot hold, so the
// sum stays 2048; an fp32 accumulator keeps it (the specification's pseudo-code accumulates in
// out_t, so the two output types give different, each correct, results).
TEST(MatmulFloat16Test, AccumulatorTypeDecidesWhereSumsRound) {
  MatmulParams p;
  p.depth = 3;
  const std::vector<Fp16> a = {Narrow<Fp16>(2048), Narrow<Fp16>(1), Narrow<Fp16>(1)};
  const std::vector<Fp16> b(3, Narrow<Fp16>(1));
  Fp16 narrow;
  MatmulFp16(p, a.data(), b.data(), &narrow);
  EXPECT_EQ(Widen(narrow), 2048.0);
  float wide = 0;
  MatmulFp16Fp32(p, a.data(), b.data(), &wide);
  EXPECT_EQ(wide, 2050.0f);
  // bf16 0.25 * 4 + 0.25 * 4 + (-1) * 3 = -1, products exact in fp32.
  const std::vector<Bf16> ba = {Narrow<Bf16>(0.25), Narrow<Bf16>(0.25), Narrow<Bf16>(-1)};
  const std::vector<Bf16> bb = {Narrow<Bf16>(4), Narrow<Bf16>(4), Narrow<Bf16>(3)};
  MatmulBf16Fp32(p, ba.data(), bb.data(), &wide);
  EXPECT_EQ(wide, -1.0f);
}

// Against the exact (fp64) product within the error bound of recursive summation: n * u *
// sum(|a * b|), u the unit roundoff of the accumulator (2^-24 for fp32, 2^-11 for fp16, where the
// products round too, hence n + 1).
template <typename T, typename Out, typename Kernel>
void ExpectWithinSummationBound(Kernel kernel, double unit_roundoff, int extra_roundings) {
  MatmulParams p;
  p.batch = 2;
  p.rows = 5;
  p.depth = 37;
  p.columns = 4;
  const auto fa = RandomFloats(2 * 5 * 37, -2.0f, 2.0f, 41);
  const auto fb = RandomFloats(2 * 37 * 4, -2.0f, 2.0f, 42);
  std::vector<T> a, b;
  for (float v : fa) a.push_back(Narrow<T>(v));
  for (float v : fb) b.push_back(Narrow<T>(v));
  std::vector<Out> out(2 * 5 * 4);
  kernel(p, a.data(), b.data(), out.data());
  for (int n = 0; n < p.batch; ++n) {
    for (int h = 0; h < p.rows; ++h) {
      for (int w = 0; w < p.columns; ++w) {
        double exact = 0, magnitude = 0;
        for (int c = 0; c < p.depth; ++c) {
          const double x = Widen(a[(n * p.rows + h) * p.depth + c]);
          const double y = Widen(b[(n * p.depth + c) * p.columns + w]);
          exact += x * y;
          magnitude += std::abs(x * y);
        }
        const Out& got = out[(n * p.rows + h) * p.columns + w];
        double value;
        if constexpr (std::is_same_v<Out, float>) {
          value = got;
        } else {
          value = Widen(got);
        }
        const double bound = (p.depth + extra_roundings) * unit_roundoff * magnitude;
        EXPECT_LE(std::abs(value - exact), bound) << "at " << n << "," << h << "," << w;
      }
    }
  }
}

TEST(MatmulFloat16Test, Fp16WithFp16AccumulatorIsWithinBound) {
  ExpectWithinSummationBound<Fp16, Fp16>(MatmulFp16, std::ldexp(1.0, -11), 1);
}

TEST(MatmulFloat16Test, Fp16WithFp32AccumulatorIsWithinBound) {
  ExpectWithinSummationBound<Fp16, float>(MatmulFp16Fp32, std::ldexp(1.0, -24), 0);
}

TEST(MatmulFloat16Test, Bf16WithFp32AccumulatorIsWithinBound) {
  ExpectWithinSummationBound<Bf16, float>(MatmulBf16Fp32, std::ldexp(1.0, -24), 0);
}

}  // namespace
}  // namespace inferd::cpu::kernels
