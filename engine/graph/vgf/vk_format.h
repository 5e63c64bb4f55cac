// The VkFormat values VGF resource tables use for tensor elements, both ways. VGF stores them as
// opaque integers; these are the ones the ML SDK's writers emit and inferd's writer writes.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/graph/dtype.h"

namespace inferd::graph::vgf {

// The VkFormat a resource of this element type declares; 0 (VK_FORMAT_UNDEFINED) when none fits.
uint32_t VkFormatOf(DType dtype);

// The element type behind a resource's VkFormat; nullopt for formats that are not one scalar
// element (or that inferd does not know).
std::optional<DType> DTypeOfVkFormat(uint32_t vk_format);

// A texel format an image resource may have: the tensor element type that holds one component's
// bits (UNORM and UINT 8-bit components as INT8, since TOSA has no unsigned types) and the
// components per texel, which is the tensor's innermost dimension.
struct ImageFormat {
  DType dtype = DType::kUnknown;
  int64_t components = 0;
};
std::optional<ImageFormat> ImageFormatOf(uint32_t vk_format);

}  // namespace inferd::graph::vgf
