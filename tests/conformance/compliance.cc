#include "tests/conformance/compliance.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace inferd::conformance {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void Record(ComplianceResult& result, size_t max_reported, size_t index, double got,
            double expected, double bound, std::string reason) {
  ++result.mismatch_count;
  if (result.mismatches.size() < max_reported) {
    result.mismatches.push_back(Mismatch{index, got, expected, bound, std::move(reason)});
  }
}

// True when `value` rounds to infinity in `format` (round to nearest even: the halfway point
// above normal_max already overflows, since normal_max has an odd significand).
bool OverflowsFormat(double value, const FloatFormat& format) {
  const double top_ulp = std::ldexp(1.0, std::ilogb(format.normal_max) - format.normal_frac);
  return std::fabs(value) >= format.normal_max + top_ulp / 2;
}

// The error allowance (towards and away from zero) of the element-wise bound modes; NaN bounds
// are treated by CheckFpBound as "no requirement".
struct Allowance {
  double low;
  double high;
};

Allowance ElementAllowance(const ComplianceInfo& info, const FloatFormat& format, double ref,
                           double bound_value) {
  switch (info.mode) {
    case ComplianceMode::kUlp: {
      const double ulp = ReferenceUlp(ref, format);
      return {ulp * info.ulp_lower.value_or(info.ulp), ulp * info.ulp};
    }
    case ComplianceMode::kAbsError: {
      // The bounds file holds the operator-specific part of calcAbsErrorBound's bounds_value
      // (base_bound is added here), or with bound_as_magnitude the magnitude itself (SIN, COS).
      double err;
      if (info.bound_as_magnitude) {
        err = CalcAbsErrorBound(bound_value, info.base_bound, info.lower_bound, info.normal_divisor,
                                format);
      } else {
        err = CalcAbsErrorBound(ref, bound_value + info.base_bound, info.lower_bound,
                                info.normal_divisor, format);
      }
      if (info.max_compare > 0) err = std::max(err, info.max_compare);
      return {err, err};
    }
    case ComplianceMode::kRelative: {
      const double ulp_bound =
          CalcAbsErrorBound(info.relative_max, info.relative_ulp_bound, 0, 1, format);
      const double err = std::max(ulp_bound, info.relative_max * info.relative_scale);
      return {err, err};
    }
    case ComplianceMode::kReduceProduct: {
      const double magnitude = std::max(std::fabs(ref), format.normal_min);
      const double err =
          magnitude * (std::pow(1 + std::ldexp(1.0, -format.normal_frac - 1), info.products) - 1);
      return {err, err};
    }
    default:
      return {0, 0};
  }
}

bool FpSpecialMatches(double ref, double bound, double got, const FloatFormat& format) {
  if (ref == 0 && got == 0) return true;  // zeros of either sign
  if (std::isnan(got) && (std::isnan(ref) || std::isnan(bound))) return true;
  if (std::isnan(ref) != std::isnan(got)) return false;
  // A finite fp64 reference beyond the format's range may legitimately overflow.
  const bool ref_finite = std::isfinite(ref) && !OverflowsFormat(ref, format);
  const bool may_overflow = std::isfinite(ref) && std::fabs(ref) > format.normal_max;
  if (!may_overflow && ref_finite != static_cast<bool>(std::isfinite(got))) return false;
  return std::signbit(ref) == std::signbit(got);
}

ComplianceResult CheckDotProduct(const ComplianceInfo& info, const FloatFormat& format,
                                 std::span<const double> got, std::span<const double> reference,
                                 std::span<const double> bounds, size_t max_reported) {
  ComplianceResult result;
  const double abs_bound = info.abs_bound.value_or(2 * info.ksb);
  const double variance_bound = info.variance_error_bound.value_or(4 * 0.4 * info.ksb);
  const double unit = std::ldexp(1.0, -1 - format.normal_frac);
  double err_sum = 0, err_sumsq = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double ref = reference[i];
    const double bnd = bounds.empty() ? std::fabs(ref) : bounds[i];
    const double imp = got[i];
    double err = 0;
    if (std::isnan(ref)) {
      if (!std::isnan(imp)) Record(result, max_reported, i, imp, ref, kNaN, "reference is NaN");
    } else if (std::isnan(bnd)) {
      // No accuracy requirement where the bound itself is NaN.
    } else if (OverflowsFormat(bnd * (1 + abs_bound * unit), format)) {
      // The dot product may overflow within its error bound.
    } else if (bnd == 0) {
      if (ref != 0 || imp != 0) {
        Record(result, max_reported, i, imp, ref, 0, "all products are zero; result must be 0");
      }
    } else {
      const double err_bnd = std::max(bnd * unit, format.normal_min);
      err = (imp - ref) / err_bnd;
      // A NaN or infinite result where the bound is finite is always out of bounds.
      if (!std::isfinite(err) || std::fabs(err) > abs_bound) {
        Record(result, max_reported, i, imp, ref, abs_bound * err_bnd,
               absl::StrCat("error ", err, " x bound unit exceeds abs_bound ", abs_bound));
        err = 0;
      }
    }
    err_sum += err;
    err_sumsq += err * err;
  }
  const double t = static_cast<double>(got.size());
  // Test sets 3-5 are not biased, so the summed error must stay near zero.
  if (info.set >= 3 && info.set <= 5 && std::fabs(err_sum) > std::sqrt(10 * variance_bound * t)) {
    result.tensor_failure = absl::StrCat("error sum ", err_sum, " exceeds sqrt(10 * ",
                                         variance_bound, " * ", got.size(), ")");
  } else if (err_sumsq > variance_bound * t) {
    result.tensor_failure =
        absl::StrCat("error sum of squares ", err_sumsq, " exceeds variance_error_bound ",
                     variance_bound, " * ", got.size());
  }
  return result;
}

}  // namespace

std::optional<ComplianceMode> ComplianceModeFromName(std::string_view name) {
  for (ComplianceMode mode :
       {ComplianceMode::kExact, ComplianceMode::kDotProduct, ComplianceMode::kUlp,
        ComplianceMode::kAbsError, ComplianceMode::kRelative, ComplianceMode::kFpSpecial,
        ComplianceMode::kReduceProduct, ComplianceMode::kRescaleInexact}) {
    if (ComplianceModeName(mode) == name) return mode;
  }
  return std::nullopt;
}

std::string_view ComplianceModeName(ComplianceMode mode) {
  switch (mode) {
    case ComplianceMode::kExact:
      return "EXACT";
    case ComplianceMode::kDotProduct:
      return "DOT_PRODUCT";
    case ComplianceMode::kUlp:
      return "ULP";
    case ComplianceMode::kAbsError:
      return "ABS_ERROR";
    case ComplianceMode::kRelative:
      return "RELATIVE";
    case ComplianceMode::kFpSpecial:
      return "FP_SPECIAL";
    case ComplianceMode::kReduceProduct:
      return "REDUCE_PRODUCT";
    case ComplianceMode::kRescaleInexact:
      return "RESCALE_INEXACT";
  }
  return "UNKNOWN";
}

FloatFormat Fp32Format() {
  return {23, std::ldexp(1.0, -126), std::ldexp(1.0, 128) - std::ldexp(1.0, 127 - 23)};
}
FloatFormat Fp16Format() {
  return {10, std::ldexp(1.0, -14), std::ldexp(1.0, 16) - std::ldexp(1.0, 15 - 10)};
}
FloatFormat Bf16Format() {
  return {7, std::ldexp(1.0, -126), std::ldexp(1.0, 128) - std::ldexp(1.0, 127 - 7)};
}

// FP8E4M3 has no infinities: its largest finite value is 1.75 * 2^8, the all-ones code is NaN.
FloatFormat Fp8E4M3Format() { return {3, std::ldexp(1.0, -6), 448.0, false}; }
FloatFormat Fp8E5M2Format() {
  return {2, std::ldexp(1.0, -14), std::ldexp(1.0, 16) - std::ldexp(1.0, 15 - 2)};
}

double ReferenceUlp(double ref, const FloatFormat& format) {
  if (!std::isnormal(ref)) return 0.0;
  const double pow2 = std::max(std::ldexp(1.0, std::ilogb(ref)), format.normal_min);
  return std::ldexp(pow2, -format.normal_frac);
}

double CalcAbsErrorBound(double bound_magnitude, double bounds_value, double lower_bound,
                         double normal_divisor, const FloatFormat& format) {
  // Guards the inf * 0 case, which would give a NaN bound.
  if (!std::isfinite(bounds_value) && std::fabs(bound_magnitude) == 0.0) return 0.0;
  double value_bound = std::max(std::fabs(bound_magnitude), format.normal_min);
  if (lower_bound > 0) value_bound = std::max(lower_bound / bounds_value, value_bound);
  // The specification's exp2 takes an int: the exponent is truncated (23 / 2 -> 11).
  const int exponent = static_cast<int>(-format.normal_frac / normal_divisor);
  return std::ldexp(value_bound, exponent) * bounds_value;
}

bool CheckFpBound(double test, double ref, double err_low, double err_high,
                  const FloatFormat& format) {
  if (std::isnan(ref)) return std::isnan(test);
  if (!std::isfinite(err_low) || !std::isfinite(err_high) || std::isnan(err_low) ||
      std::isnan(err_high)) {
    return true;
  }
  if (ref < 0) {
    ref = -ref;
    test = -test;
  }
  double ref_max = ref + err_high;
  double ref_min = ref - err_low;
  if (ref_max > format.normal_max) ref_max = kInf;
  if (ref_min > format.normal_max) ref_min = kInf;
  if (ref_min < -format.normal_max) ref_min = -kInf;
  // Subnormal results may be flushed to zero (of either sign).
  if (test == 0) return ref_min < format.normal_min;
  if (std::isnan(test)) return !format.has_infinity && std::isinf(ref_max);
  return test >= ref_min && test <= ref_max;
}

ComplianceResult CheckFloatTensor(const ComplianceInfo& info, const FloatFormat& format,
                                  std::span<const double> got, std::span<const double> reference,
                                  std::span<const double> bounds, size_t max_reported) {
  ComplianceResult result;
  if (got.size() != reference.size() || (!bounds.empty() && bounds.size() != got.size())) {
    result.tensor_failure = absl::StrCat("element counts differ: got ", got.size(), ", reference ",
                                         reference.size(), ", bounds ", bounds.size());
    return result;
  }
  switch (info.mode) {
    case ComplianceMode::kExact:
      return CheckExactFloat(got, reference, format, max_reported);
    case ComplianceMode::kDotProduct:
      return CheckDotProduct(info, format, got, reference, bounds, max_reported);
    case ComplianceMode::kFpSpecial:
      for (size_t i = 0; i < got.size(); ++i) {
        const double bnd = bounds.empty() ? 0.0 : bounds[i];
        if (!FpSpecialMatches(reference[i], bnd, got[i], format)) {
          Record(result, max_reported, i, got[i], reference[i], kNaN,
                 "special value (NaN / infinity / sign) differs");
        }
      }
      return result;
    default:
      break;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const double bnd = bounds.empty() ? 0.0 : bounds[i];
    const Allowance a = ElementAllowance(info, format, reference[i], bnd);
    if (!CheckFpBound(got[i], reference[i], a.low, a.high, format)) {
      Record(result, max_reported, i, got[i], reference[i], a.high,
             absl::StrCat(std::string(ComplianceModeName(info.mode)), " bound exceeded"));
    }
  }
  return result;
}

ComplianceResult CheckExactInt(std::span<const int64_t> got, std::span<const int64_t> expected,
                               size_t max_reported) {
  ComplianceResult result;
  if (got.size() != expected.size()) {
    result.tensor_failure =
        absl::StrCat("element counts differ: got ", got.size(), ", expected ", expected.size());
    return result;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != expected[i]) {
      Record(result, max_reported, i, static_cast<double>(got[i]), static_cast<double>(expected[i]),
             0, "not equal");
    }
  }
  return result;
}

ComplianceResult CheckRescaleInexact(std::span<const int64_t> got, std::span<const int64_t> lowest,
                                     std::span<const int64_t> highest, size_t max_reported) {
  ComplianceResult result;
  if (got.size() != lowest.size() || got.size() != highest.size()) {
    result.tensor_failure = absl::StrCat("element counts differ: got ", got.size(), ", lowest ",
                                         lowest.size(), ", highest ", highest.size());
    return result;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] < lowest[i] || got[i] > highest[i]) {
      Record(result, max_reported, i, static_cast<double>(got[i]), static_cast<double>(lowest[i]),
             static_cast<double>(highest[i] - lowest[i]),
             absl::StrCat("outside the allowed range [", lowest[i], ", ", highest[i], "]"));
    }
  }
  return result;
}

ComplianceResult CheckExactFloat(std::span<const double> got, std::span<const double> expected,
                                 const FloatFormat& format, size_t max_reported) {
  ComplianceResult result;
  if (got.size() != expected.size()) {
    result.tensor_failure =
        absl::StrCat("element counts differ: got ", got.size(), ", expected ", expected.size());
    return result;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (!CheckFpBound(got[i], expected[i], 0, 0, format)) {
      Record(result, max_reported, i, got[i], expected[i], 0, "not equal");
    }
  }
  return result;
}

}  // namespace inferd::conformance
