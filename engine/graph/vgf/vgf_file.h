// A VGF file (the ML SDK for Vulkan's model container) as plain C++ values: the fixed header, the
// module table (SPIR-V / GLSL / HLSL code), the model sequence table (segments and the model's
// inputs and outputs), the model resource table and the constants. Free of FlatBuffers and protobuf
// so that the decoder, the dump tool and other readers (ExecuTorch VgfBackend payloads) share it.
//
// Format facts: ../shared/design/vgf-vulkan-notes.md section 1; schema: engine/graph/vgf/vgf.fbs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::graph::vgf {

inline constexpr size_t kVgfHeaderSize = 128;
inline constexpr uint32_t kNoDescriptorType = 0xFFFFFFFF;
inline constexpr uint32_t kDescriptorTypeCombinedImageSampler = 1;  // ..._COMBINED_IMAGE_SAMPLER
inline constexpr uint32_t kDescriptorTypeStorageImage = 3;          // ..._STORAGE_IMAGE
inline constexpr uint32_t kDescriptorTypeStorageBuffer = 7;  // VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
inline constexpr uint32_t kDescriptorTypeTensorArm = 1000460000;  // VK_DESCRIPTOR_TYPE_TENSOR_ARM

struct VgfVersion {
  uint8_t major = 0;
  uint8_t minor = 0;
  uint8_t patch = 0;
};

enum class VgfModuleType : uint8_t { kCompute = 0, kGraph = 1 };
enum class VgfCodeKind : uint8_t { kNone = 0, kSpirv = 1, kGlsl = 2, kHlsl = 3 };
enum class VgfResourceCategory : uint8_t {
  kInput = 0,
  kOutput = 1,
  kIntermediate = 2,
  kConstant = 3
};

struct VgfModule {
  VgfModuleType type = VgfModuleType::kGraph;
  std::string name;
  std::string entry_point;
  VgfCodeKind code_kind = VgfCodeKind::kNone;
  std::vector<uint32_t> spirv;  // kSpirv
  std::string source;           // kGlsl / kHlsl
};

// A descriptor binding and the resource-table entry bound there.
struct VgfBinding {
  uint32_t binding = 0;
  uint32_t mrt_index = 0;
};

struct VgfDescriptorSet {
  uint32_t set_index = 0;  // resolved: the array position when the file leaves it unset
  std::vector<VgfBinding> bindings;
};

struct VgfPushConstantRange {
  uint32_t stage_flags = 0;
  uint32_t offset = 0;
  uint32_t size = 0;
};

// Format 0.5.0: which constants-section entry a SPIR-V GraphConstantID refers to.
struct VgfConstantBinding {
  uint32_t graph_constant_id = 0;
  uint32_t constant_index = 0;
};

struct VgfSegment {
  VgfModuleType type = VgfModuleType::kGraph;
  std::string name;
  uint32_t module_index = 0;
  std::vector<VgfDescriptorSet> descriptor_sets;
  std::vector<VgfBinding> inputs;
  std::vector<VgfBinding> outputs;
  std::vector<uint32_t> constants;  // indexes into VgfFile::constants
  std::vector<uint32_t> dispatch_shape;
  std::vector<VgfPushConstantRange> push_constant_ranges;
  std::vector<VgfConstantBinding> constant_bindings;
};

// How a sampled image resource is sampled: opaque VkFilter / VkSamplerAddressMode /
// VkBorderColor values, as the file stores them.
struct VgfSampler {
  uint32_t min_filter = 0;
  uint32_t mag_filter = 0;
  uint32_t address_mode_u = 0;
  uint32_t address_mode_v = 0;
  uint32_t border_color = 0;
};

struct VgfResource {
  uint32_t vk_descriptor_type = kNoDescriptorType;  // opaque VkDescriptorType
  uint32_t vk_format = 0;                           // opaque VkFormat
  VgfResourceCategory category = VgfResourceCategory::kInput;
  std::vector<int64_t> shape;  // a negative dimension is unknown (writers use INT64_MIN)
  std::vector<int64_t> strides;
  uint32_t alias_group_id = 0xFFFFFFFF;
  bool has_sampler = false;
  VgfSampler sampler;  // when has_sampler
};

struct VgfConstant {
  uint32_t mrt_index = 0;
  int64_t sparsity_dimension = -1;  // -1: dense
  std::vector<uint8_t> data;        // raw little-endian tensor bytes, row-major
};

struct VgfFile {
  VgfVersion version;
  uint16_t vk_header_version = 0;
  std::vector<VgfModule> modules;
  std::vector<VgfSegment> segments;
  std::vector<VgfBinding> inputs;  // the model's inputs, in order
  std::vector<VgfBinding> outputs;
  std::vector<std::string> input_names;  // empty or one per input
  std::vector<std::string> output_names;
  std::vector<VgfResource> resources;
  std::vector<VgfConstant> constants;
  bool legacy_constants = false;  // FlatBuffers constants section (format 0.3.x)
};

// Decodes untrusted bytes of a VGF file of format 0.3.0 through 0.5.x: checks the header, that
// every section lies inside the file, verifies each FlatBuffers section (copying a misaligned one
// to aligned memory first), reads both constants layouts and checks every index between the tables
// (segment -> module, binding -> resource, constant -> resource, constant binding -> constant).
// Errors are InvalidArgument and say what is wrong and where (section, entry, offset).
absl::StatusOr<VgfFile> ReadVgfFile(std::span<const uint8_t> bytes);

std::string_view VgfModuleTypeName(VgfModuleType type);
std::string_view VgfCodeKindName(VgfCodeKind kind);
std::string_view VgfResourceCategoryName(VgfResourceCategory category);

}  // namespace inferd::graph::vgf
