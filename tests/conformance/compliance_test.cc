// The compliance rules on hand-made values just inside and just outside each bound, and their
// handling of NaN, infinities and signed zeros.
#include "tests/conformance/compliance.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace inferd::conformance {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const FloatFormat kFp32 = Fp32Format();

// 2^-23: one fp32 ulp of a value in [1, 2).
const double kUlp1 = std::ldexp(1.0, -23);

ComplianceResult Check(const ComplianceInfo& info, std::vector<double> got, std::vector<double> ref,
                       std::vector<double> bounds = {}) {
  return CheckFloatTensor(info, kFp32, got, ref, bounds);
}

TEST(ComplianceModeTest, NamesRoundTrip) {
  for (const char* name : {"EXACT", "DOT_PRODUCT", "ULP", "ABS_ERROR", "RELATIVE", "FP_SPECIAL",
                           "REDUCE_PRODUCT", "RESCALE_INEXACT"}) {
    const std::optional<ComplianceMode> mode = ComplianceModeFromName(name);
    ASSERT_TRUE(mode.has_value()) << name;
    EXPECT_EQ(ComplianceModeName(*mode), name);
  }
  EXPECT_FALSE(ComplianceModeFromName("CLOSE_ENOUGH").has_value());
}

TEST(ReferenceUlpTest, FollowsTheExponentAndStopsAtNormalMin) {
  EXPECT_EQ(ReferenceUlp(1.0, kFp32), kUlp1);
  EXPECT_EQ(ReferenceUlp(1.999, kFp32), kUlp1);
  EXPECT_EQ(ReferenceUlp(-2.0, kFp32), 2 * kUlp1);
  // Below the smallest normal the ulp is that of normal_min.
  EXPECT_EQ(ReferenceUlp(1e-40, kFp32), std::ldexp(1.0, -126 - 23));
  EXPECT_EQ(ReferenceUlp(0.0, kFp32), 0.0);
  EXPECT_EQ(ReferenceUlp(kInf, kFp32), 0.0);
  EXPECT_EQ(ReferenceUlp(kNaN, kFp32), 0.0);
}

TEST(CheckFpBoundTest, InsideAndOutside) {
  EXPECT_TRUE(CheckFpBound(1.0 + kUlp1, 1.0, kUlp1, kUlp1, kFp32));
  EXPECT_FALSE(CheckFpBound(1.0 + 2 * kUlp1, 1.0, kUlp1, kUlp1, kFp32));
  // Negative references are mirrored.
  EXPECT_TRUE(CheckFpBound(-1.0 - kUlp1, -1.0, kUlp1, kUlp1, kFp32));
  EXPECT_FALSE(CheckFpBound(-1.0 - 2 * kUlp1, -1.0, kUlp1, kUlp1, kFp32));
  // err_low is towards zero, err_high away from it.
  EXPECT_TRUE(CheckFpBound(1.0 - 2 * kUlp1, 1.0, 2 * kUlp1, 0, kFp32));
  EXPECT_FALSE(CheckFpBound(1.0 + kUlp1, 1.0, 2 * kUlp1, 0, kFp32));
}

TEST(CheckFpBoundTest, SpecialValues) {
  EXPECT_TRUE(CheckFpBound(kNaN, kNaN, 0, 0, kFp32));
  EXPECT_FALSE(CheckFpBound(1.0, kNaN, 1, 1, kFp32));
  EXPECT_FALSE(CheckFpBound(kNaN, 1.0, 1, 1, kFp32));
  // An infinite bound accepts anything but a non-NaN for a NaN reference.
  EXPECT_TRUE(CheckFpBound(123.0, 1.0, kInf, kInf, kFp32));
  // Beyond normal_max the bound reaches infinity.
  EXPECT_TRUE(CheckFpBound(kInf, 1e39, 0, 0, kFp32));
  EXPECT_FALSE(CheckFpBound(3.4e38, 1e39, 0, 0, kFp32));
  EXPECT_TRUE(CheckFpBound(-kInf, -kInf, 0, 0, kFp32));
  EXPECT_FALSE(CheckFpBound(kInf, -kInf, 0, 0, kFp32));
  // Zero of either sign for zero, and for a subnormal reference (flush to zero).
  EXPECT_TRUE(CheckFpBound(-0.0, 0.0, 0, 0, kFp32));
  EXPECT_TRUE(CheckFpBound(0.0, 1e-39, 0, 0, kFp32));
  EXPECT_FALSE(CheckFpBound(0.0, 1e-30, 0, 0, kFp32));
}

TEST(UlpModeTest, HalfUlpRounding) {
  ComplianceInfo info;
  info.mode = ComplianceMode::kUlp;
  info.ulp = 0.5;
  const double ref = 1.0 + 0.25 * kUlp1;
  EXPECT_TRUE(Check(info, {1.0}, {ref}).ok());
  EXPECT_FALSE(Check(info, {1.0 + kUlp1}, {ref}).ok());
  const ComplianceResult r = Check(info, {1.0, 1.0 + kUlp1, 5.0}, {ref, ref, 5.0});
  EXPECT_EQ(r.mismatch_count, 1u);
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_EQ(r.mismatches[0].index, 1u);
}

TEST(UlpModeTest, UlpLowerAllowsRoundingTowardsZero) {
  ComplianceInfo info;
  info.mode = ComplianceMode::kUlp;
  info.ulp = 0.5;
  info.ulp_lower = 1.0;
  const double ref = 1.0 + 0.9 * kUlp1;
  EXPECT_TRUE(Check(info, {1.0}, {ref}).ok());    // truncated: 0.9 ulp below
  EXPECT_TRUE(Check(info, {-1.0}, {-ref}).ok());  // same for negative values
  EXPECT_FALSE(Check(info, {1.0 + 2 * kUlp1}, {ref}).ok());
  EXPECT_FALSE(Check(info, {-1.0}, {ref}).ok());  // wrong sign
}

TEST(AbsErrorModeTest, BoundFromBoundsFileAndBase) {
  // EXP-like: err = 2^-23 * max(|ref|, normal_min) * (bounds + base_bound).
  ComplianceInfo info;
  info.mode = ComplianceMode::kAbsError;
  info.base_bound = 3;
  const double ref = 1.5;
  const double err = kUlp1 * 1.5 * (1 + 3);
  EXPECT_TRUE(Check(info, {ref + 0.99 * err}, {ref}, {1.0}).ok());
  EXPECT_FALSE(Check(info, {ref + 1.01 * err}, {ref}, {1.0}).ok());
  EXPECT_FALSE(Check(info, {ref - 1.01 * err}, {ref}, {1.0}).ok());
}

TEST(AbsErrorModeTest, LowerBoundRaisesTheMagnitude) {
  // LOG-like: lower_bound 0.5 keeps the bound from vanishing near a zero result.
  ComplianceInfo info;
  info.mode = ComplianceMode::kAbsError;
  info.lower_bound = 0.5;
  const double err = kUlp1 * (0.5 / 5) * 5;  // value_bound = max(0.5 / 5, |ref|=0.001)
  EXPECT_TRUE(Check(info, {0.001 + 0.99 * err}, {0.001}, {5.0}).ok());
  EXPECT_FALSE(Check(info, {0.001 + 1.01 * err}, {0.001}, {5.0}).ok());
}

TEST(AbsErrorModeTest, BoundAsMagnitudeWithDivisorAndMaxCompare) {
  // SIN-like: magnitude from the bounds file, base_bound as bounds value, 2^(-23/2 -> -11).
  ComplianceInfo info;
  info.mode = ComplianceMode::kAbsError;
  info.bound_as_magnitude = true;
  info.base_bound = 2;
  info.normal_divisor = 2;
  info.max_compare = 1e-3;
  const double err = std::ldexp(1.0, -11) * 3.0 * 2;  // magnitude 3, bounds value 2
  EXPECT_TRUE(Check(info, {0.5 + 0.99 * err}, {0.5}, {3.0}).ok());
  EXPECT_FALSE(Check(info, {0.5 + 1.01 * err}, {0.5}, {3.0}).ok());
  // max_compare is a floor on the bound.
  EXPECT_TRUE(Check(info, {0.5 + 0.9e-3}, {0.5}, {1e-9}).ok());
  EXPECT_FALSE(Check(info, {0.5 + 1.1e-3}, {0.5}, {1e-9}).ok());
}

TEST(RelativeModeTest, ScaleOfTheInputMaximum) {
  ComplianceInfo info;
  info.mode = ComplianceMode::kRelative;
  info.relative_max = 100;
  info.relative_scale = 0.006;
  info.relative_ulp_bound = 20;
  // max(100 * 0.006, 2^-23 * 100 * 20) = 0.6
  EXPECT_TRUE(Check(info, {10.59}, {10.0}).ok());
  EXPECT_FALSE(Check(info, {10.61}, {10.0}).ok());
  // The ulp term wins for a tiny scale.
  info.relative_scale = 0;
  const double ulp_err = kUlp1 * 100 * 20;
  EXPECT_TRUE(Check(info, {10.0 + 0.99 * ulp_err}, {10.0}).ok());
  EXPECT_FALSE(Check(info, {10.0 + 1.01 * ulp_err}, {10.0}).ok());
}

TEST(ReduceProductModeTest, GrowsWithTheNumberOfProducts) {
  ComplianceInfo info;
  info.mode = ComplianceMode::kReduceProduct;
  info.products = 4;
  const double err = 2.0 * (std::pow(1 + std::ldexp(1.0, -24), 4) - 1);  // about 4 half-ulps
  EXPECT_TRUE(Check(info, {2.0 + 0.99 * err}, {2.0}).ok());
  EXPECT_FALSE(Check(info, {2.0 + 1.01 * err}, {2.0}).ok());
  EXPECT_TRUE(Check(info, {kNaN}, {kNaN}).ok());
  EXPECT_FALSE(Check(info, {2.0}, {kNaN}).ok());
}

TEST(ExactModeTest, IntegersAndFloats) {
  EXPECT_TRUE(CheckExactInt(std::vector<int64_t>{1, -2}, std::vector<int64_t>{1, -2}).ok());
  const ComplianceResult r =
      CheckExactInt(std::vector<int64_t>{1, -3}, std::vector<int64_t>{1, -2});
  ASSERT_EQ(r.mismatch_count, 1u);
  EXPECT_EQ(r.mismatches[0].index, 1u);
  EXPECT_EQ(r.mismatches[0].got, -3);
  EXPECT_FALSE(CheckExactInt(std::vector<int64_t>{1}, std::vector<int64_t>{1, 2}).ok());

  ComplianceInfo info;  // EXACT
  EXPECT_TRUE(Check(info, {1.5, kNaN, -0.0, kInf}, {1.5, kNaN, -0.0, kInf}).ok());
  // tosa_reference_check_fp with 0 ulp: zeros of either sign match, subnormals may be flushed.
  EXPECT_TRUE(Check(info, {0.0}, {-0.0}).ok());
  EXPECT_TRUE(Check(info, {-0.0}, {1e-40}).ok());
  EXPECT_FALSE(Check(info, {1e-40}, {2e-40}).ok());
  EXPECT_FALSE(Check(info, {kInf}, {-kInf}).ok());
  EXPECT_FALSE(Check(info, {1.0 + kUlp1}, {1.0}).ok());
  EXPECT_FALSE(Check(info, {1.0}, {kNaN}).ok());
}

TEST(RescaleInexactModeTest, EachElementWithinItsRange) {
  const std::vector<int64_t> lowest{-3, 0, 200};
  const std::vector<int64_t> highest{-1, 0, 255};
  EXPECT_TRUE(CheckRescaleInexact(std::vector<int64_t>{-3, 0, 255}, lowest, highest).ok());
  EXPECT_TRUE(CheckRescaleInexact(std::vector<int64_t>{-1, 0, 200}, lowest, highest).ok());
  const ComplianceResult r = CheckRescaleInexact(std::vector<int64_t>{-4, 1, 256}, lowest, highest);
  EXPECT_EQ(r.mismatch_count, 3u);
  ASSERT_FALSE(r.mismatches.empty());
  EXPECT_NE(r.mismatches[0].reason.find("[-3, -1]"), std::string::npos) << r.mismatches[0].reason;
  EXPECT_FALSE(CheckRescaleInexact(std::vector<int64_t>{0}, lowest, highest).ok());
}

// FP8E4M3 has no infinity: its NaN is what an overflow gives, so an infinite reference (or one
// rounding past 448) must be met by NaN; a finite format value is still judged by its bound.
TEST(Fp8FormatTest, E4M3OverflowIsNaN) {
  const FloatFormat e4m3 = Fp8E4M3Format();
  EXPECT_TRUE(CheckFpBound(kNaN, kInf, 0, 0, e4m3));
  EXPECT_TRUE(CheckFpBound(kNaN, -kInf, 0, 0, e4m3));
  EXPECT_TRUE(CheckFpBound(kNaN, 1000.0, 0, 0, e4m3));
  EXPECT_FALSE(CheckFpBound(448.0, kInf, 0, 0, e4m3));
  EXPECT_FALSE(CheckFpBound(kNaN, 448.0, 0, 0, e4m3));
  EXPECT_TRUE(CheckFpBound(448.0, 448.0, 0, 0, e4m3));
  // E5M2 has infinities, so NaN is never an overflow there.
  EXPECT_FALSE(CheckFpBound(kNaN, kInf, 0, 0, Fp8E5M2Format()));
  EXPECT_TRUE(CheckFpBound(kInf, kInf, 0, 0, Fp8E5M2Format()));
  // One E4M3 ulp at 1.0 is 2^-3.
  EXPECT_DOUBLE_EQ(ReferenceUlp(1.0, e4m3), 0.125);
  EXPECT_DOUBLE_EQ(ReferenceUlp(1.0, Fp8E5M2Format()), 0.25);
}

TEST(FpSpecialModeTest, SpecialValuesMustMatchInKind) {
  ComplianceInfo info;
  info.mode = ComplianceMode::kFpSpecial;
  EXPECT_TRUE(Check(info, {kNaN, kInf, -kInf, -0.0, 0.0}, {kNaN, kInf, -kInf, 0.0, 0.0}).ok());
  // A NaN result is also accepted where the bound is NaN.
  EXPECT_TRUE(Check(info, {kNaN}, {1.0}, {kNaN}).ok());
  EXPECT_FALSE(Check(info, {kNaN}, {1.0}, {1.0}).ok());
  EXPECT_FALSE(Check(info, {1.0}, {kNaN}).ok());
  EXPECT_FALSE(Check(info, {kInf}, {-kInf}).ok());
  EXPECT_FALSE(Check(info, {kInf}, {1.0}).ok());
  EXPECT_FALSE(Check(info, {-2.0}, {2.0}).ok());
  // A finite fp64 reference past the fp32 range may overflow.
  EXPECT_TRUE(Check(info, {kInf}, {1e39}).ok());
}

ComplianceInfo DotInfo(int set, double ksb) {
  ComplianceInfo info;
  info.mode = ComplianceMode::kDotProduct;
  info.set = set;
  info.ksb = ksb;
  return info;
}

TEST(DotProductModeTest, AbsoluteBoundPerElement) {
  // ksb 4: abs_bound 8 units of bound * 2^-24.
  const ComplianceInfo info = DotInfo(0, 4);
  const double unit = 16.0 * std::ldexp(1.0, -24);  // bound 16
  // The variance bound (1.6 * ksb per element) must not trip on a single element either.
  std::vector<double> ref(64, 1.0), bounds(64, 16.0);
  std::vector<double> got = ref;
  got[3] = 1.0 + 7.9 * unit;
  EXPECT_TRUE(Check(info, got, ref, bounds).ok());
  got[3] = 1.0 + 8.1 * unit;
  const ComplianceResult r = Check(info, got, ref, bounds);
  ASSERT_EQ(r.mismatch_count, 1u);
  EXPECT_EQ(r.mismatches[0].index, 3u);
}

TEST(DotProductModeTest, ExplicitAbsBoundOverridesKsb) {
  ComplianceInfo info = DotInfo(0, 4);
  info.abs_bound = 2;
  const double unit = std::ldexp(1.0, -24);
  std::vector<double> ref(64, 1.0), bounds(64, 1.0), got(64, 1.0);
  got[0] = 1.0 + 2.5 * unit;
  EXPECT_FALSE(Check(info, got, ref, bounds).ok());
}

TEST(DotProductModeTest, VarianceBoundOverTheTensor) {
  // Every element 1.5 units off: inside abs_bound 8, but the sum of squares 2.25 * T exceeds
  // variance_error_bound 1.6 * T for ksb 1... use ksb 1 (abs_bound 2, variance 1.6).
  const ComplianceInfo info = DotInfo(0, 1);
  const double unit = std::ldexp(1.0, -24);
  std::vector<double> ref(100, 1.0), bounds(100, 1.0), got(100, 1.0 + 1.5 * unit);
  const ComplianceResult r = Check(info, got, ref, bounds);
  EXPECT_EQ(r.mismatch_count, 0u);
  EXPECT_FALSE(r.tensor_failure.empty());
  std::fill(got.begin(), got.end(), 1.0 + 1.2 * unit);  // 1.44 * T < 1.6 * T
  EXPECT_TRUE(Check(info, got, ref, bounds).ok());
}

TEST(DotProductModeTest, BiasCheckOnlyForSetsThreeToFive) {
  // A constant +1 unit error: sum 100 > sqrt(10 * 3.2 * 100) ~ 56.6 for ksb 2, sum of squares
  // 100 < 3.2 * 100.
  const double unit = std::ldexp(1.0, -24);
  std::vector<double> ref(100, 1.0), bounds(100, 1.0), got(100, 1.0 + unit);
  EXPECT_TRUE(Check(DotInfo(0, 2), got, ref, bounds).ok());
  EXPECT_FALSE(Check(DotInfo(3, 2), got, ref, bounds).ok());
}

TEST(DotProductModeTest, ZeroNaNAndOverflow) {
  const ComplianceInfo info = DotInfo(0, 2);
  // All products zero: the result must be zero.
  EXPECT_TRUE(Check(info, {0.0}, {0.0}, {0.0}).ok());
  EXPECT_FALSE(Check(info, {1e-30}, {0.0}, {0.0}).ok());
  // NaN reference needs a NaN; NaN result for a number fails.
  EXPECT_TRUE(Check(info, {kNaN}, {kNaN}, {1.0}).ok());
  EXPECT_FALSE(Check(info, {1.0}, {kNaN}, {1.0}).ok());
  EXPECT_FALSE(Check(info, {kNaN}, {1.0}, {1.0}).ok());
  // A NaN bound sets no requirement; a bound that overflows fp32 neither.
  EXPECT_TRUE(Check(info, {5.0}, {1.0}, {kNaN}).ok());
  EXPECT_TRUE(Check(info, {kInf}, {1e39}, {1e39}).ok());
}

}  // namespace
}  // namespace inferd::conformance
