#include "engine/executorch/bundled_self_test.h"

#include <cmath>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace inferd::executorch {
namespace {

// What ExecuTorch's elem_is_close decides for one pair.
bool IsClose(double actual, double expected, double error, const BundledTolerance& tolerance) {
  if (std::isnan(actual) && std::isnan(expected)) return true;
  if (!std::isfinite(actual) && !std::isfinite(expected) && (actual > 0) == (expected > 0)) {
    return true;
  }
  if (tolerance.rtol == 0 && tolerance.atol == 0) return actual == expected;
  const double allowed = tolerance.atol + std::abs(tolerance.rtol * actual);
  return std::isfinite(error) && error <= allowed;
}

struct Comparison {
  int64_t mismatches = 0;
  int64_t worst = -1;  // the element with the largest difference
  double largest = 0;
  double worst_actual = 0;
  double worst_expected = 0;
};

template <typename T>
Comparison CompareFloats(std::span<const T> actual, std::span<const T> expected,
                         const BundledTolerance& tolerance) {
  Comparison result;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double error = std::abs(static_cast<double>(actual[i] - expected[i]));
    if (IsClose(actual[i], expected[i], error, tolerance)) continue;
    ++result.mismatches;
    // A NaN difference ranks above every number, so a NaN that does not match is what is reported.
    const double rank = std::isnan(error) ? INFINITY : error;
    if (result.worst < 0 || rank > result.largest) {
      result.worst = static_cast<int64_t>(i);
      result.largest = rank;
      result.worst_actual = actual[i];
      result.worst_expected = expected[i];
    }
  }
  return result;
}

template <typename T>
Comparison CompareIntegers(std::span<const T> actual, std::span<const T> expected) {
  Comparison result;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double difference =
        std::abs(static_cast<double>(actual[i]) - static_cast<double>(expected[i]));
    if (difference == 0) continue;
    ++result.mismatches;
    if (result.worst < 0 || difference > result.largest) {
      result.worst = static_cast<int64_t>(i);
      result.largest = difference;
      result.worst_actual = static_cast<double>(actual[i]);
      result.worst_expected = static_cast<double>(expected[i]);
    }
  }
  return result;
}

Comparison Compare(const Tensor& actual, const Tensor& expected,
                   const BundledTolerance& tolerance) {
  switch (actual.dtype()) {
    case DataType::kFp32:
      return CompareFloats(actual.values<float>(), expected.values<float>(), tolerance);
    case DataType::kFp64:
      return CompareFloats(actual.values<double>(), expected.values<double>(), tolerance);
    case DataType::kInt8:
      return CompareIntegers(actual.values<int8_t>(), expected.values<int8_t>());
    case DataType::kUint8:
    case DataType::kBool:
      return CompareIntegers(actual.values<uint8_t>(), expected.values<uint8_t>());
    case DataType::kInt16:
      return CompareIntegers(actual.values<int16_t>(), expected.values<int16_t>());
    case DataType::kUint16:
    case DataType::kFp16:  // compared exactly, by bit pattern
    case DataType::kBf16:
      return CompareIntegers(actual.values<uint16_t>(), expected.values<uint16_t>());
    case DataType::kInt32:
      return CompareIntegers(actual.values<int32_t>(), expected.values<int32_t>());
    case DataType::kUint32:
      return CompareIntegers(actual.values<uint32_t>(), expected.values<uint32_t>());
    default:  // 64-bit integers: exact, the difference as a double is enough to report
      return CompareIntegers(actual.values<int64_t>(), expected.values<int64_t>());
  }
}

// A bundled tensor as the model takes it: the config's shape when its element count agrees, with
// the batch dimension from the bundle when the model batches.
absl::StatusOr<Tensor> ToModelTensor(const BundledTensor& bundled, const TensorSpec& spec,
                                     int max_batch_size, int64_t* batch_size,
                                     const std::string& where) {
  if (bundled.dtype != spec.dtype) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " '", spec.name, "' is ", std::string(DataTypeName(bundled.dtype)),
                     "; the model takes ", std::string(DataTypeName(spec.dtype))));
  }
  const int64_t count = *ElementCount(bundled.sizes);
  Shape shape = spec.dims;
  int64_t batch = 1;
  if (max_batch_size > 0) {
    // The bundle's outermost dimension is the batch, unless the tensor is one item without one.
    const bool one_item = ElementCount(spec.dims) == count;
    batch = bundled.sizes.empty() || one_item ? 1 : bundled.sizes[0];
    shape.insert(shape.begin(), batch);
  }
  if (std::optional<int64_t> want = ElementCount(shape); !want.has_value()) {
    shape = bundled.sizes;  // variable dimensions: the bundle's own
  } else if (*want != count) {
    return absl::InvalidArgumentError(absl::StrCat(where, " '", spec.name, "' is ",
                                                   ShapeToString(bundled.sizes),
                                                   "; the model takes ", ShapeToString(shape)));
  }
  if (batch_size != nullptr) *batch_size = batch;
  Tensor tensor = Tensor::Allocate(bundled.dtype, shape);
  if (!bundled.data.empty()) {
    std::memcpy(tensor.mutable_bytes().data(), bundled.data.data(), bundled.data.size());
  }
  return tensor;
}

absl::StatusOr<BatchResult> RunOnce(Executable& instance, Batch batch, absl::Duration timeout) {
  struct Outcome {
    absl::Notification done;
    absl::StatusOr<BatchResult> result = absl::UnknownError("no result");
  };
  auto outcome = std::make_shared<Outcome>();
  instance.Execute(std::move(batch), [outcome](absl::StatusOr<BatchResult> result) {
    outcome->result = std::move(result);
    outcome->done.Notify();
  });
  // The batch carries the deadline; the wait's own margin covers a backend that ignores it.
  if (!outcome->done.WaitForNotificationWithTimeout(timeout + absl::Seconds(10))) {
    return absl::DeadlineExceededError(
        absl::StrCat("no answer within ", absl::FormatDuration(timeout)));
  }
  return std::move(outcome->result);
}

}  // namespace

absl::StatusOr<BundledTolerance> BundledToleranceFromParameters(
    const std::map<std::string, std::string>& parameters) {
  BundledTolerance tolerance;
  for (auto [key, target] :
       {std::pair{"bundled_rtol", &tolerance.rtol}, std::pair{"bundled_atol", &tolerance.atol}}) {
    auto found = parameters.find(key);
    if (found == parameters.end()) continue;
    if (!absl::SimpleAtod(found->second, target) || !(*target >= 0) || !std::isfinite(*target)) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", key, ": '", found->second, "' is not a non-negative number"));
    }
  }
  return tolerance;
}

absl::StatusOr<std::string> RunBundledSelfTest(
    const BundledProgram& bundle, const std::vector<std::unique_ptr<Executable>>& instances,
    const BundledSelfTestOptions& options) {
  const BundledTestSuite* suite = nullptr;
  for (const BundledTestSuite& candidate : bundle.suites) {
    if (candidate.method == options.method) suite = &candidate;
  }
  if (suite == nullptr || suite->cases.empty()) {
    return absl::StrCat("bundled self-test: no test set for method '", options.method, "'");
  }
  const std::string tolerance_text =
      absl::StrCat("rtol ", options.tolerance.rtol, ", atol ", options.tolerance.atol);
  for (size_t c = 0; c < suite->cases.size(); ++c) {
    const BundledTestCase& test = suite->cases[c];
    const std::string where =
        absl::StrCat("bundled test set ", c, " of method '", suite->method, "'");
    if (test.inputs.size() != options.inputs.size() ||
        test.expected_outputs.size() != options.outputs.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " has ", test.inputs.size(), " inputs and ",
                       test.expected_outputs.size(), " expected outputs; the model has ",
                       options.inputs.size(), " and ", options.outputs.size()));
    }
    for (size_t n = 0; n < instances.size(); ++n) {
      Batch batch;
      batch.cancellation = std::make_shared<CancellationToken>();
      batch.deadline = absl::Now() + options.timeout;
      for (size_t i = 0; i < test.inputs.size(); ++i) {
        auto tensor = ToModelTensor(test.inputs[i], options.inputs[i], options.max_batch_size,
                                    &batch.batch_size, absl::StrCat(where, ": input"));
        if (!tensor.ok()) return tensor.status();
        batch.inputs.push_back(*std::move(tensor));
      }
      auto result = RunOnce(*instances[n], std::move(batch), options.timeout);
      if (!result.ok()) {
        return absl::Status(result.status().code(), absl::StrCat(where, " on instance ", n, ": ",
                                                                 result.status().message()));
      }
      if (result->outputs.size() != options.outputs.size()) {
        return absl::InternalError(absl::StrCat(where, " on instance ", n, ": ",
                                                result->outputs.size(), " outputs came back"));
      }
      for (size_t j = 0; j < options.outputs.size(); ++j) {
        const TensorSpec& spec = options.outputs[j];
        auto expected = ToModelTensor(test.expected_outputs[j], spec, options.max_batch_size,
                                      nullptr, absl::StrCat(where, ": expected output"));
        if (!expected.ok()) return expected.status();
        const Tensor& actual = result->outputs[j];
        if (actual.dtype() != expected->dtype() ||
            actual.element_count() != expected->element_count()) {
          return absl::FailedPreconditionError(absl::StrCat(
              where, ", output '", spec.name, "': the model returned ",
              std::string(DataTypeName(actual.dtype())), " ", ShapeToString(actual.shape()),
              ", the bundle expects ", std::string(DataTypeName(expected->dtype())), " ",
              ShapeToString(expected->shape())));
        }
        const Comparison comparison = Compare(actual, *expected, options.tolerance);
        if (comparison.mismatches > 0) {
          return absl::FailedPreconditionError(
              absl::StrCat(where, ", output '", spec.name, "' (instance ", n,
                           "): ", comparison.mismatches, " of ", actual.element_count(),
                           " elements differ; largest difference ", comparison.largest,
                           " at element ", comparison.worst, " (got ", comparison.worst_actual,
                           ", expected ", comparison.worst_expected, "; ", tolerance_text, ")"));
        }
      }
    }
  }
  return absl::StrCat("bundled self-test passed: ", suite->cases.size(), " test set",
                      suite->cases.size() == 1 ? "" : "s", " of method '", suite->method, "' on ",
                      instances.size(), " instance", instances.size() == 1 ? "" : "s", " (",
                      tolerance_text, ")");
}

}  // namespace inferd::executorch
