// Tensors as short human-readable text: inferctl's inline inputs ("FP32:1,3:0.5,1,2") and the
// printed form of outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace inferd {

// Parses "DTYPE:SHAPE:VALUES": DTYPE a KServe name (BOOL, UINT8..UINT64, INT8..INT64, FP16, BF16,
// FP32, FP64), SHAPE comma-separated dimensions (empty for a scalar), VALUES comma-separated,
// exactly one per element. BOOL takes true/false/1/0; integers must fit the type; floats take what
// strtod does ("1e-3", "nan", "inf"). FP16/BF16 values are rounded to nearest-even. Errors say
// which value and why.
absl::StatusOr<Tensor> ParseTensorText(std::string_view text);

// True when `text` starts with "DTYPE:" for a known DTYPE, i.e. it is meant for ParseTensorText
// rather than being a file name.
bool LooksLikeTensorText(std::string_view text);

// "[0.5, 1, 2]": the first `max_values` elements in row-major order, then "... (N more)" when cut
// short. FP16/BF16 print as their float value; BYTES tensors print their byte count.
std::string FormatTensorValues(const Tensor& tensor, size_t max_values);

// For a rank-2 numeric tensor [N,K] with K >= 2 (a batch of class scores), the column of the
// largest value in each row, the first one on ties, NaNs never winning. nullopt for any other
// tensor.
std::optional<std::vector<int64_t>> ArgmaxPerRow(const Tensor& tensor);

}  // namespace inferd
