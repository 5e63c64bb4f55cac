// The self-test of a bundled program at load: every test case the bundle holds for the served
// method runs through every loaded instance (so on the backend and device the model is placed on,
// float edges included), and each output is compared with the expected one as ExecuTorch's
// bundled-program verifier compares them: floating-point outputs element by element with
// |actual - expected| <= atol + |rtol * actual| (NaN matches NaN, an infinity one of its own
// sign), other types byte for byte. The schema carries no tolerances; ExecuTorch's runtime takes
// them as arguments with defaults rtol 1e-5, atol 1e-8, which inferd uses unless the model's
// config sets the parameters `bundled_rtol` / `bundled_atol`.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/backend.h"
#include "engine/executorch/bundled_program.h"

namespace inferd::executorch {

struct BundledTolerance {
  double rtol = 1e-5;
  double atol = 1e-8;
};

// ExecuTorch's defaults, or the config's `bundled_rtol` / `bundled_atol` (non-negative numbers).
absl::StatusOr<BundledTolerance> BundledToleranceFromParameters(
    const std::map<std::string, std::string>& parameters);

struct BundledSelfTestOptions {
  std::string method;              // the method the program serves
  std::vector<TensorSpec> inputs;  // the model's, as the instances take them
  std::vector<TensorSpec> outputs;
  int max_batch_size = 0;
  BundledTolerance tolerance;
  absl::Duration timeout = absl::Seconds(60);  // per test case and instance
};

// OK with a one-line summary for the repository index ("bundled self-test passed: ..."), or
// FAILED_PRECONDITION naming the test set, the output and the largest difference; a test case the
// model cannot take (wrong count, type or size) is INVALID_ARGUMENT.
absl::StatusOr<std::string> RunBundledSelfTest(
    const BundledProgram& bundle, const std::vector<std::unique_ptr<Executable>>& instances,
    const BundledSelfTestOptions& options);

}  // namespace inferd::executorch
