// A VGF COMPUTE segment as an operator of the graph IR: a CUSTOM operator of domain "inferd.vgf"
// whose implementation attributes carry the segment's shader (SPIR-V words or GLSL source), its
// entry point, where each operand is bound (descriptor set and binding), the workgroup counts and
// the push-constant bytes it declares. Its inputs are the resources the segment reads, its outputs
// those it writes, so a VGF sequence of GRAPH and COMPUTE segments becomes one graph whose
// operators run in sequence order and whose intermediates the backend places like any tensor.
//
// Only tosa_vulkan runs it (backends/vulkan/module_kernel.h); the CPU backend has no
// implementation and refuses the model naming the segment. The attributes may come from any
// .tosa file, so DecodeComputeSegment treats them as untrusted bytes.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"
#include "engine/graph/vgf/vgf_file.h"

namespace inferd::graph::vgf {

inline constexpr char kComputeSegmentDomain[] = "inferd.vgf";
inline constexpr char kComputeSegmentOperator[] = "compute_segment";

struct ComputeSegmentBinding {
  // How the shader sees the operand: a storage buffer of its bytes, or a 2D image of its
  // [1,] H x W x C elements (C components per texel of `vk_format`), stored or sampled.
  enum class Kind : uint32_t { kStorageBuffer = 0, kStorageImage = 1, kSampledImage = 2 };
  uint32_t set = 0;
  uint32_t binding = 0;
  bool output = false;   // an operator output, else an input
  uint32_t operand = 0;  // index into the operator's inputs or outputs
  Kind kind = Kind::kStorageBuffer;
  uint32_t vk_format = 0;  // images: the texel format (ImageFormatOf knows it)
  VgfSampler sampler;      // sampled images
};

struct ComputeSegment {
  enum class Code : uint32_t { kSpirv = 1, kGlsl = 2 };
  std::string name;  // the VGF segment's
  std::string entry_point;
  Code code = Code::kSpirv;
  std::vector<uint32_t> spirv;  // kSpirv
  std::string glsl;             // kGlsl: compiled when a backend loads the model
  std::vector<ComputeSegmentBinding> bindings;
  std::array<uint32_t, 3> workgroups = {1, 1, 1};  // vkCmdDispatch's group counts
  uint32_t push_constant_bytes = 0;                // the end of the furthest range declared
};

std::vector<uint8_t> EncodeComputeSegment(const ComputeSegment& segment);

// InvalidArgument naming what is wrong: truncated or trailing bytes, an unknown code or binding
// kind, an operand index outside `inputs` / `outputs` (the operator's counts), a (set, binding)
// used twice, an operand left unbound, a sampled image written.
absl::StatusOr<ComputeSegment> DecodeComputeSegment(std::span<const uint8_t> bytes, size_t inputs,
                                                    size_t outputs);

// The segment behind `op` when it is a compute-segment operator; nullopt for any other operator;
// an error when it is one but its attributes do not decode.
absl::StatusOr<std::optional<ComputeSegment>> ComputeSegmentOf(const Operator& op);

// The first compute-segment operator of `graph`'s main block, for refusals ("segment 'x'").
const Operator* FirstComputeSegment(const Graph& graph);

}  // namespace inferd::graph::vgf
