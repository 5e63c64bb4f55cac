// How the GPU holds the two element types whose model-file layout no shader can address one
// element at a time, as the CPU backend holds them (backends/cpu/constant_layout.h): INT4 (two a
// byte in the model file) unpacked, one int8 an element, so the INT8 shaders read INT4 weights as
// they are; INT48 (six bytes an element in the model file) widened to a little-endian int64, which
// the shaders read as int64_t or, without shaderInt64, as two 32-bit words
// (shaders/wide_int.glsl). Constants and variables' initial values are converted once at load;
// main-block inputs and outputs are already in this layout (the CPU backend's GraphExecutor takes
// and gives them so, and the conformance .npy files hold them so).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/graph/dtype.h"

namespace inferd::vulkan {

// Whether `dtype` is held on the GPU in another layout than the model file's.
inline bool StoredFormDiffers(graph::DType dtype) {
  return dtype == graph::DType::kInt4 || dtype == graph::DType::kInt48;
}

// Bytes `elements` elements of `dtype` take on the GPU; nullopt where the type has no size.
std::optional<int64_t> StoredDataSize(graph::DType dtype, int64_t elements);

// `elements` elements of `dtype` from the model file's layout (`packed`) to the GPU's.
std::vector<uint8_t> ToStoredForm(graph::DType dtype, std::span<const uint8_t> packed,
                                  int64_t elements);

}  // namespace inferd::vulkan
