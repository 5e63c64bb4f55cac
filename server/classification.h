// Triton's classification extension: instead of an output tensor, the top k classes of each batch
// item as BYTES strings "value:index", or "value:index:label" when the output has a label file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/shape.h"
#include "engine/tensor.h"

namespace inferd {

struct ClassificationOutput {
  Shape shape;      // [batch, k] for a batched model, [k] otherwise
  std::string raw;  // KServe's BYTES layout: each string as a 4-byte little-endian length, then it
};

// The `k` largest values of each item of `output` (its first dimension is the batch when
// `batched`), largest first, ties to the smaller index; k is clipped to the classes an item has.
// `labels[index]` is appended where the output has one. INVALID_ARGUMENT for a non-numeric output.
absl::StatusOr<ClassificationOutput> Classify(const Tensor& output, bool batched, int64_t k,
                                              const std::vector<std::string>& labels);

}  // namespace inferd
