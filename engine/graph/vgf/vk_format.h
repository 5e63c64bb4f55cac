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

}  // namespace inferd::graph::vgf
