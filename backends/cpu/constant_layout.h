// Turns constant payloads from their .tosa layout into the executor's storage layout (see
// StorageElementBytes): INT48 is widened from 6 bytes to int64_t, INT4 is unpacked from two
// elements a byte (low nibble first) to one sign-extended int8_t each; every other type is stored
// as in the file.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/graph/graph.h"

namespace inferd::cpu {

// True when `dtype`'s storage layout differs from its file layout, so its data must be decoded.
bool NeedsDecoding(graph::DType dtype);

// Writes `tensor.data` (`elements` elements of tensor.dtype, file layout) to `destination` in the
// storage layout; `destination` holds elements * StorageElementBytes(tensor.dtype) bytes.
void DecodeConstantData(const graph::Tensor& tensor, int64_t elements, uint8_t* destination);

}  // namespace inferd::cpu
