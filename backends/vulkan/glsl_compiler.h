// Compiles a GLSL compute shader to SPIR-V at load time with Debian's glslang (a VGF COMPUTE
// segment may carry GLSL source instead of SPIR-V). The SPIR-V entry point is the source's main().
// #include is refused: a model's source must not make the daemon open files.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::vulkan {

// Whether this build has glslang (without it, CompileComputeGlsl is UNIMPLEMENTED).
bool HaveGlslCompiler();

// SPIR-V for Vulkan 1.3. `name` labels the errors. InvalidArgument with the compiler's log when
// the source does not compile.
absl::StatusOr<std::vector<uint32_t>> CompileComputeGlsl(std::string_view source,
                                                         std::string_view name);

}  // namespace inferd::vulkan
