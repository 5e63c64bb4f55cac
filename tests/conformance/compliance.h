// The TOSA 1.0 compliance rules that decide whether an implementation's output tensor matches the
// reference model's: the specification's floating-point accuracy checks (ULP, absolute error,
// relative, REDUCE_PRODUCT and the dot-product rule) plus the conformance suite's EXACT and
// FP_SPECIAL modes, as named by desc.json's meta.compliance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::conformance {

enum class ComplianceMode {
  kExact,
  kDotProduct,
  kUlp,
  kAbsError,
  kRelative,
  kFpSpecial,
  kReduceProduct,
  // RESCALE with INEXACT_ROUND: each element within [lowest, highest], integers.
  kRescaleInexact,
};

// "EXACT", "DOT_PRODUCT", ...; nullopt for a name this library does not know.
std::optional<ComplianceMode> ComplianceModeFromName(std::string_view name);
std::string_view ComplianceModeName(ComplianceMode mode);

// One output tensor's meta.compliance entry. Defaults are the values a missing field means.
struct ComplianceInfo {
  ComplianceMode mode = ComplianceMode::kExact;
  // dot_product_info: test set S, kernel size bound ksb, and the two bounds; an absent abs_bound /
  // variance_error_bound is derived from ksb as the specification's tables do.
  int set = 0;
  double ksb = 0;
  std::optional<double> abs_bound;
  std::optional<double> variance_error_bound;
  // ulp_info: allowed ulps above (ulp) and below (ulp_lower, defaults to ulp) the magnitude of
  // the reference.
  double ulp = 0;
  std::optional<double> ulp_lower;
  // abs_error_info: the arguments of the specification's calcAbsErrorBound.
  double lower_bound = 0;
  double base_bound = 0;
  double normal_divisor = 1;
  bool bound_as_magnitude = false;
  double max_compare = 0;
  // relative_info.
  double relative_max = 0;
  double relative_scale = 0;
  double relative_ulp_bound = 0;
  // reduce_product_info: number of elements multiplied.
  double products = 0;
  // rescale_inexact_info: the output is unsigned (8 or 16 bits) although its files hold the
  // signed container of the same width.
  bool unsigned_data = false;
};

// The floating-point format of an output (the specification's normal_frac / normal_min /
// normal_max).
struct FloatFormat {
  int normal_frac;
  double normal_min;
  double normal_max;
  // FP8E4M3 has none: a result that overflows (or an infinite reference) is its NaN.
  bool has_infinity = true;
};
FloatFormat Fp32Format();
FloatFormat Fp16Format();
FloatFormat Bf16Format();
FloatFormat Fp8E4M3Format();
FloatFormat Fp8E5M2Format();

// One element that broke its rule. `bound` is the permitted absolute error where the rule has one
// (NaN otherwise).
struct Mismatch {
  size_t index = 0;
  double got = 0;
  double expected = 0;
  double bound = 0;
  std::string reason;
};

// The outcome for one tensor: every failing element up to the cap given to the check, the total
// count, and for DOT_PRODUCT a tensor-wide failure (error bias / variance) in `tensor_failure`.
struct ComplianceResult {
  std::vector<Mismatch> mismatches;
  size_t mismatch_count = 0;
  std::string tensor_failure;
  bool ok() const { return mismatch_count == 0 && tensor_failure.empty(); }
};

// ---- The specification's primitives (numeric_accuracy_helpers / tosa_reference_check).

// One ulp of `ref` in `format` (0 for zero, infinities and NaN).
double ReferenceUlp(double ref, const FloatFormat& format);

// calcAbsErrorBound<format>(bound_magnitude, bounds_value, lower_bound, normal_divisor).
double CalcAbsErrorBound(double bound_magnitude, double bounds_value, double lower_bound,
                         double normal_divisor, const FloatFormat& format);

// tosa_reference_check_fp_bnd, with separate allowances towards zero (`err_low`) and away from
// zero (`err_high`) around the magnitude of `ref`: NaN must give NaN; an infinite bound accepts
// anything; results past normal_max count as infinity; zero is accepted for a reference that may
// be subnormal (flush to zero). In a format without infinities, NaN stands for an overflow.
bool CheckFpBound(double test, double ref, double err_low, double err_high,
                  const FloatFormat& format);

// ---- Whole-tensor checks. `got` is the implementation's output widened to double; `reference`
// is expected-precise-*.npy (fp64) and `bounds` bounds_expected-precise-*.npy where the mode uses
// it. At most `max_reported` mismatches are kept.

ComplianceResult CheckFloatTensor(const ComplianceInfo& info, const FloatFormat& format,
                                  std::span<const double> got, std::span<const double> reference,
                                  std::span<const double> bounds, size_t max_reported = 8);

// EXACT for integer / bool tensors, element values sign-extended into int64.
ComplianceResult CheckExactInt(std::span<const int64_t> got, std::span<const int64_t> expected,
                               size_t max_reported = 8);

// RESCALE_INEXACT: lowest[i] <= got[i] <= highest[i] for every element, all three widened from the
// output's integer type (unsigned values already zero-extended by the caller).
ComplianceResult CheckRescaleInexact(std::span<const int64_t> got, std::span<const int64_t> lowest,
                                     std::span<const int64_t> highest, size_t max_reported = 8);

// EXACT for floating-point tensors, as the specification defines it: tosa_reference_check_fp with
// zero ulps, so values must be equal and NaN must give NaN, while a zero of either sign matches a
// zero (or a flushed subnormal).
ComplianceResult CheckExactFloat(std::span<const double> got, std::span<const double> expected,
                                 const FloatFormat& format, size_t max_reported = 8);

}  // namespace inferd::conformance
