// VkResult to absl::Status, so that every Vulkan failure reaches the caller with the call that
// failed and Vulkan's own name for the error.
#pragma once

#include <vulkan/vulkan.h>

#include <string_view>

#include "absl/status/status.h"

namespace inferd::vulkan {

// A Vulkan structure with its sType set, every other member zero, and optionally a pNext chain.
template <typename Struct>
Struct VkStruct(VkStructureType type, void* next = nullptr) {
  Struct value{};
  value.sType = type;
  value.pNext = next;
  return value;
}

// "VK_ERROR_OUT_OF_DEVICE_MEMORY", ... ; "VkResult <n>" for values this build does not know.
std::string_view VkResultName(VkResult result);

// OK for VK_SUCCESS. Otherwise a status naming `what` and the result: RESOURCE_EXHAUSTED for the
// out-of-memory results, UNAVAILABLE for a lost device, UNIMPLEMENTED for a missing feature,
// extension or layer, INTERNAL for the rest.
absl::Status VkStatus(VkResult result, std::string_view what);

}  // namespace inferd::vulkan
