// The SPIR-V of the backend's compute shaders, compiled from shaders/*.comp at build time and
// embedded in the binary (the variant list is in CMakeLists.txt).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace inferd::vulkan {

// The SPIR-V words of the named variant (e.g. "conv2d_i8"); empty when there is none.
std::span<const uint32_t> FindShader(std::string_view name);

}  // namespace inferd::vulkan
