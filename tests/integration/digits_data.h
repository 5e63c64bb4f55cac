// The example repository's held-out digits and the trainer's expected outputs, for integration
// tests.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace inferd::testing {

struct DigitsData {
  Tensor images_fp32;    // [M,8,8,1] float32
  Tensor images_int8;    // [M,8,8,1] int8
  Tensor labels;         // [M] int64
  Tensor expected_fp32;  // [M,10] float32, the trainer's scores of the fp32 graph
  Tensor expected_int8;  // [M,10] int8, the trainer's exact integer simulation
};

absl::StatusOr<DigitsData> LoadDigitsData();

// Rows [first, first+count) of a tensor whose outermost dimension is the example index, as a new
// tensor that owns its bytes.
Tensor Rows(const Tensor& tensor, int64_t first, int64_t count);

// Index of the largest of the `classes` scores in row `row` (first one on ties).
int64_t ArgMax(const Tensor& scores, int64_t row);

}  // namespace inferd::testing
