// Checks a compute shader a model brings (a VGF COMPUTE segment's SPIR-V) before any driver sees
// it. Model files are untrusted input and a driver's behaviour on a shader whose interface does
// not match its pipeline layout is undefined, so the shader must declare exactly what inferd
// binds: a GLCompute entry point of the segment's name, storage buffers, 2D storage images and
// combined image samplers, each at a (set, binding) the segment binds with that kind, no descriptor
// arrays, and only capabilities inferd enables on the device. Physical pointers
// (PhysicalStorageBufferAddresses) are refused: with them a shader could reach memory outside the
// buffers it is given.
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "engine/graph/vgf/compute_segment.h"

namespace inferd::graph::vgf {

struct ComputeShaderLimits {
  bool int64 = false;  // the device runs shaderInt64
};

// InvalidArgument for malformed SPIR-V; Unimplemented naming the capability, storage class or
// binding inferd does not provide.
absl::Status CheckComputeSpirv(std::span<const uint32_t> words, const ComputeSegment& segment,
                               const ComputeShaderLimits& limits);

}  // namespace inferd::graph::vgf
