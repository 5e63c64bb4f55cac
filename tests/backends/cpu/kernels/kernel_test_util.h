// Deterministic test data for the reference kernel tests (no dependence on <random>'s
// implementation-defined distributions, so failures reproduce everywhere).
#ifndef INFERD_TESTS_BACKENDS_CPU_KERNELS_KERNEL_TEST_UTIL_H_
#define INFERD_TESTS_BACKENDS_CPU_KERNELS_KERNEL_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "backends/cpu/kernels/broadcast.h"

namespace inferd::cpu::kernels::test_util {

// A small xorshift generator.
class TestRng {
 public:
  explicit TestRng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}

  uint64_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }

  // Uniform-ish integer in [lo, hi].
  int64_t Int(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }

  // Float in [lo, hi).
  float Float(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(Next() >> 40) / static_cast<float>(1 << 24);
  }

 private:
  uint64_t state_;
};

template <typename T>
std::vector<T> RandomInts(size_t count, int64_t lo, int64_t hi, uint64_t seed) {
  TestRng rng(seed);
  std::vector<T> values(count);
  for (T& v : values) v = static_cast<T>(rng.Int(lo, hi));
  return values;
}

inline std::vector<float> RandomFloats(size_t count, float lo, float hi, uint64_t seed) {
  TestRng rng(seed);
  std::vector<float> values(count);
  for (float& v : values) v = rng.Float(lo, hi);
  return values;
}

// The broadcast shape of an elementwise operation on n elements, both inputs full size.
inline BroadcastShape Flat(int32_t n) {
  BroadcastShape s;
  s.rank = 1;
  s.output_dims[0] = s.input1_dims[0] = s.input2_dims[0] = n;
  return s;
}

}  // namespace inferd::cpu::kernels::test_util

#endif  // INFERD_TESTS_BACKENDS_CPU_KERNELS_KERNEL_TEST_UTIL_H_
