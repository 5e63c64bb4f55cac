// Shared by the optimised-kernel tests: the instruction-set variants this CPU can run (each test
// runs once per variant) and seeded random data.
#ifndef INFERD_TESTS_BACKENDS_CPU_KERNELS_OPTIMIZED_OPTIMIZED_TEST_SUPPORT_H_
#define INFERD_TESTS_BACKENDS_CPU_KERNELS_OPTIMIZED_OPTIMIZED_TEST_SUPPORT_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/kernels/optimized/cpu_features.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu::kernels::optimized {

// Every table compiled in whose instructions the running CPU has.
inline std::vector<const TileKernels*> RunnableTileKernels() {
  std::vector<const TileKernels*> tables;
  if (CpuHasAvx2Fma() && Avx2TileKernels() != nullptr) tables.push_back(Avx2TileKernels());
  if (CpuHasAvx512Vnni() && Avx512VnniTileKernels() != nullptr) {
    tables.push_back(Avx512VnniTileKernels());
  }
  if (CpuHasNeon() && NeonTileKernels() != nullptr) tables.push_back(NeonTileKernels());
  return tables;
}

inline std::string TableName(const TileKernels* table) { return table->name; }

inline int32_t RandomInt(std::mt19937& rng, int32_t lo, int32_t hi) {
  return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
}

inline std::vector<int8_t> RandomInt8(std::mt19937& rng, int64_t count) {
  std::vector<int8_t> values(count);
  // Mostly uniform, sometimes pinned to the extremes so the largest products are exercised.
  const bool extremes = RandomInt(rng, 0, 3) == 0;
  for (auto& v : values) {
    v = static_cast<int8_t>(extremes ? (RandomInt(rng, 0, 1) ? 127 : -128)
                                     : RandomInt(rng, -128, 127));
  }
  return values;
}

inline std::vector<int32_t> RandomBias(std::mt19937& rng, int64_t count) {
  std::vector<int32_t> values(count);
  for (auto& v : values) v = RandomInt(rng, -1000000, 1000000);
  return values;
}

inline std::vector<float> RandomFloat(std::mt19937& rng, int64_t count) {
  std::vector<float> values(count);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (auto& v : values) v = dist(rng);
  return values;
}

// Random values with NaNs of both signs, infinities of both signs and zeros of both signs mixed
// in, which comparisons and NaN rules must treat as the specification does.
inline std::vector<float> AwkwardFloats(std::mt19937& rng, int64_t count) {
  std::vector<float> values = RandomFloat(rng, count);
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                            -std::numeric_limits<float>::quiet_NaN(),
                            0.0f,
                            -0.0f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity()};
  for (auto& v : values) {
    const int pick = RandomInt(rng, 0, 11);
    if (pick < 6) v = specials[pick];
  }
  return values;
}

// The TOSA 1.0 bound for an fp32 dot product of length `depth` (plus the bias addition), relative
// to the sum of the absolute values of the products: a generous (depth + 2) * 2^-23 factor.
inline double DotProductTolerance(int64_t depth, double abs_sum) {
  return static_cast<double>(depth + 2) * std::ldexp(1.0, -23) * abs_sum + 1e-30;
}

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_TESTS_BACKENDS_CPU_KERNELS_OPTIMIZED_OPTIMIZED_TEST_SUPPORT_H_
