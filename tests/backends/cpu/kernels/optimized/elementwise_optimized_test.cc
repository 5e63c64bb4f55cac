// The optimised elementwise kernels give the reference kernels' bytes and statuses on random
// broadcasts of ranks 0 to 6, with int32 overflows, NaNs of both signs, infinities and signed
// zeros.
#include "backends/cpu/kernels/optimized/elementwise_optimized.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/kernels/clamp.h"
#include "backends/cpu/kernels/elementwise_arithmetic.h"
#include "backends/cpu/kernels/elementwise_binary.h"
#include "tests/backends/cpu/kernels/optimized/optimized_test_support.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// An output shape and two inputs that broadcast to it: each input dimension is the output's or
// 1, sometimes the whole input a single element, sometimes no broadcast at all.
BroadcastShape RandomBroadcast(std::mt19937& rng) {
  BroadcastShape s;
  s.rank = RandomInt(rng, 0, kMaxRank);
  const int style = RandomInt(rng, 0, 3);  // 0: none, 1: input2 scalar, 2: input1 scalar, 3: mixed
  for (int32_t d = 0; d < s.rank; ++d) {
    s.output_dims[d] = RandomInt(rng, 1, s.rank > 3 ? 3 : 9);
    s.input1_dims[d] = s.input2_dims[d] = s.output_dims[d];
    if (style == 1) s.input2_dims[d] = 1;
    if (style == 2) s.input1_dims[d] = 1;
    if (style == 3) {
      // At most one of the two broadcasts along a dimension, as the validator requires.
      const int which = RandomInt(rng, 0, 3);
      if (which == 0) s.input1_dims[d] = 1;
      if (which == 1) s.input2_dims[d] = 1;
    }
  }
  return s;
}

int64_t Count(const int32_t* dims, int32_t rank) {
  int64_t count = 1;
  for (int32_t d = 0; d < rank; ++d) count *= dims[d];
  return count;
}

std::vector<int32_t> RandomInt32(std::mt19937& rng, int64_t count) {
  std::vector<int32_t> values(count);
  const bool near_limits = RandomInt(rng, 0, 2) == 0;  // so that ADD / SUB overflow sometimes
  for (auto& v : values) {
    v = near_limits ? (RandomInt(rng, 0, 1) ? INT32_MAX - RandomInt(rng, 0, 3)
                                            : INT32_MIN + RandomInt(rng, 0, 3))
                    : RandomInt(rng, -1000, 1000);
  }
  return values;
}

// Bit for bit, except that any two NaNs match: which operand's NaN an addition passes on depends on
// the order the compiler gives the operands, and the specification does not look at payloads.
bool SameFloats(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return false;
  }
  return true;
}

std::string Describe(const BroadcastShape& s) {
  std::string text = "rank " + std::to_string(s.rank) + ":";
  for (int32_t d = 0; d < s.rank; ++d) {
    text += " " + std::to_string(s.input1_dims[d]) + "," + std::to_string(s.input2_dims[d]) + "->" +
            std::to_string(s.output_dims[d]);
  }
  return text;
}

TEST(ElementwiseOptimizedTest, Int32MatchesTheReferenceIncludingOverflow) {
  std::mt19937 rng(21);
  int overflows = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const BroadcastShape s = RandomBroadcast(rng);
    const auto a = RandomInt32(rng, Count(s.input1_dims, s.rank));
    const auto b = RandomInt32(rng, Count(s.input2_dims, s.rank));
    const int64_t n = Count(s.output_dims, s.rank);
    struct Case {
      ElementwiseOp op;
      KernelStatus (*reference)(const BroadcastShape&, const int32_t*, const int32_t*, int32_t*);
    };
    const Case cases[] = {
        {ElementwiseOp::kAdd, kernels::AddInt32},
        {ElementwiseOp::kSub, kernels::SubInt32},
        {ElementwiseOp::kMaximum,
         [](const BroadcastShape& sh, const int32_t* x, const int32_t* y, int32_t* o) {
           kernels::MaximumInt32(sh, x, y, o);
           return KernelStatus::kOk;
         }},
        {ElementwiseOp::kMinimum,
         [](const BroadcastShape& sh, const int32_t* x, const int32_t* y, int32_t* o) {
           kernels::MinimumInt32(sh, x, y, o);
           return KernelStatus::kOk;
         }},
    };
    for (const Case& c : cases) {
      std::vector<int32_t> expected(n), actual(n, 77);
      const KernelStatus reference = c.reference(s, a.data(), b.data(), expected.data());
      const KernelStatus optimized = ElementwiseInt32(c.op, s, a.data(), b.data(), actual.data());
      ASSERT_EQ(optimized, reference) << Describe(s) << " op " << static_cast<int>(c.op);
      ASSERT_EQ(actual, expected) << Describe(s) << " op " << static_cast<int>(c.op);
      overflows += reference == KernelStatus::kUnpredictable;
    }
  }
  EXPECT_GT(overflows, 10);  // the overflow path was exercised
}

TEST(ElementwiseOptimizedTest, Fp32MatchesTheReferenceBitForBit) {
  std::mt19937 rng(22);
  for (int trial = 0; trial < 400; ++trial) {
    const BroadcastShape s = RandomBroadcast(rng);
    const auto a = AwkwardFloats(rng, Count(s.input1_dims, s.rank));
    const auto b = AwkwardFloats(rng, Count(s.input2_dims, s.rank));
    const int64_t n = Count(s.output_dims, s.rank);
    const std::pair<ElementwiseOp, FloatBinaryOp> ops[] = {
        {ElementwiseOp::kAdd, FloatBinaryOp::kAdd},
        {ElementwiseOp::kSub, FloatBinaryOp::kSub},
        {ElementwiseOp::kMul, FloatBinaryOp::kMul},
        {ElementwiseOp::kMaximum, FloatBinaryOp::kMaximum},
        {ElementwiseOp::kMinimum, FloatBinaryOp::kMinimum}};
    for (const auto& [op, reference_op] : ops) {
      for (NanMode mode : {NanMode::kPropagate, NanMode::kIgnore}) {
        std::vector<float> expected(n), actual(n, 5.0f);
        kernels::FloatBinary(reference_op, mode, s, a.data(), b.data(), expected.data());
        ElementwiseFp32(op, mode, s, a.data(), b.data(), actual.data());
        ASSERT_TRUE(SameFloats(actual, expected))
            << Describe(s) << " op " << static_cast<int>(op) << " mode " << static_cast<int>(mode);
      }
    }
  }
}

TEST(ElementwiseOptimizedTest, ClampMatchesTheReference) {
  std::mt19937 rng(23);
  for (int trial = 0; trial < 100; ++trial) {
    const int64_t n = RandomInt(rng, 0, 300);
    const auto i8 = RandomInt8(rng, n);
    const auto lo8 = static_cast<int8_t>(RandomInt(rng, -128, 0));
    const auto hi8 = static_cast<int8_t>(RandomInt(rng, 0, 127));
    std::vector<int8_t> expected8(n), actual8(n);
    kernels::ClampInt8(i8.data(), expected8.data(), n, lo8, hi8);
    optimized::ClampInt8(i8.data(), actual8.data(), n, lo8, hi8);
    ASSERT_EQ(actual8, expected8);

    std::vector<int16_t> i16(n);
    for (auto& v : i16) v = static_cast<int16_t>(RandomInt(rng, -32768, 32767));
    std::vector<int16_t> expected16(n), actual16(n);
    kernels::ClampInt16(i16.data(), expected16.data(), n, -1000, 2000);
    optimized::ClampInt16(i16.data(), actual16.data(), n, -1000, 2000);
    ASSERT_EQ(actual16, expected16);

    const auto f = AwkwardFloats(rng, n);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::pair<float, float> bounds[] = {
        {-0.0f, 1.5f}, {0.0f, -0.0f}, {nan, 1.0f}, {-1.0f, nan}};
    for (const auto& [lo, hi] : bounds) {
      for (NanMode mode : {NanMode::kPropagate, NanMode::kIgnore}) {
        std::vector<float> expected(n), actual(n);
        kernels::ClampFp32(f.data(), expected.data(), n, lo, hi, mode);
        optimized::ClampFp32(f.data(), actual.data(), n, lo, hi, mode);
        // By bits, NaNs too: CLAMP only ever passes on the canonical NaN or an input element.
        ASSERT_EQ(std::memcmp(actual.data(), expected.data(), n * sizeof(float)), 0)
            << lo << " " << hi;
      }
    }
  }
}

}  // namespace
}  // namespace inferd::cpu::kernels::optimized
