// The optimised MATMUL against the reference kernel on random shapes, with B packed ahead and at
// run time: equal bit for bit for INT8, within the dot-product bound for FP32.
#include "backends/cpu/kernels/optimized/matmul_optimized.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "backends/cpu/kernels/matmul.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

MatmulParams RandomMatmul(std::mt19937& rng) {
  MatmulParams p;
  p.batch = RandomInt(rng, 1, 3);
  p.rows = RandomInt(rng, 1, 13);
  p.depth = RandomInt(rng, 0, 3) == 0 ? RandomInt(rng, 100, 700) : RandomInt(rng, 1, 40);
  p.columns = RandomInt(rng, 1, 50);
  return p;
}

class MatmulOptimizedTest : public ::testing::TestWithParam<const TileKernels*> {};

TEST_P(MatmulOptimizedTest, Int8MatchesReferenceExactly) {
  std::mt19937 rng(555);
  for (int trial = 0; trial < 300; ++trial) {
    MatmulParams p = RandomMatmul(rng);
    p.a_zp = RandomInt(rng, 0, 2) == 0 ? 0 : RandomInt(rng, -128, 127);
    p.b_zp = RandomInt(rng, 0, 2) == 0 ? 0 : RandomInt(rng, -128, 127);
    ASSERT_TRUE(MatmulInt8Supported(p));
    const auto a = RandomInt8(rng, static_cast<int64_t>(p.batch) * p.rows * p.depth);
    const auto b = RandomInt8(rng, static_cast<int64_t>(p.batch) * p.depth * p.columns);
    const int64_t count = static_cast<int64_t>(p.batch) * p.rows * p.columns;
    std::vector<int32_t> expected(count), ahead(count, -7), at_run(count, -7);
    ASSERT_EQ(MatmulInt8(p, a.data(), b.data(), expected.data()), KernelStatus::kOk);
    const PackedInt8Matrix packed = PackMatmulInt8B(*GetParam(), p, b.data(), p.b_zp);
    // Weights with zero point 0 take the quad form where the table has the quad tile.
    ASSERT_EQ(packed.quad_form(), p.b_zp == 0 && GetParam()->int8_quad_tile != nullptr);
    ASSERT_EQ(MatmulInt8Optimized(*GetParam(), p, &packed, a.data(), b.data(), ahead.data()),
              KernelStatus::kOk);
    ASSERT_EQ(MatmulInt8Optimized(*GetParam(), p, nullptr, a.data(), b.data(), at_run.data()),
              KernelStatus::kOk);
    ASSERT_EQ(ahead, expected) << "trial " << trial;
    ASSERT_EQ(at_run, expected) << "trial " << trial;
  }
}

TEST_P(MatmulOptimizedTest, Fp32WithinDotProductBound) {
  std::mt19937 rng(556);
  for (int trial = 0; trial < 200; ++trial) {
    const MatmulParams p = RandomMatmul(rng);
    const auto a = RandomFloat(rng, static_cast<int64_t>(p.batch) * p.rows * p.depth);
    const auto b = RandomFloat(rng, static_cast<int64_t>(p.batch) * p.depth * p.columns);
    const int64_t count = static_cast<int64_t>(p.batch) * p.rows * p.columns;
    std::vector<float> expected(count), ahead(count), at_run(count), abs_sum(count);
    MatmulFp32(p, a.data(), b.data(), expected.data());
    std::vector<float> abs_a(a), abs_b(b);
    for (auto& v : abs_a) v = std::fabs(v);
    for (auto& v : abs_b) v = std::fabs(v);
    MatmulFp32(p, abs_a.data(), abs_b.data(), abs_sum.data());
    const PackedFp32Matrix packed = PackMatmulFp32B(p, b.data());
    MatmulFp32Optimized(*GetParam(), p, &packed, a.data(), b.data(), ahead.data());
    MatmulFp32Optimized(*GetParam(), p, nullptr, a.data(), b.data(), at_run.data());
    for (int64_t i = 0; i < count; ++i) {
      const double tolerance = 2 * DotProductTolerance(p.depth, abs_sum[i]);
      ASSERT_NEAR(ahead[i], expected[i], tolerance) << "trial " << trial << " output " << i;
      ASSERT_EQ(at_run[i], ahead[i]) << "trial " << trial << " output " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, MatmulOptimizedTest, ::testing::ValuesIn(RunnableTileKernels()),
                         [](const auto& info) { return TableName(info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MatmulOptimizedTest);

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
