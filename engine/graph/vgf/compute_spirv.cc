#include "engine/graph/vgf/compute_spirv.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/graph/vgf/spirv.h"

namespace inferd::graph::vgf {
namespace {

// Opcodes and enums this check reads (SPIR-V specification, unified grammar).
constexpr uint16_t kOpEntryPoint = 15;
constexpr uint16_t kOpTypeImage = 25;
constexpr uint16_t kOpTypeSampledImage = 27;
constexpr uint16_t kOpTypeRuntimeArray = 29;
constexpr uint32_t kDim2D = 1;
constexpr uint32_t kImageSampledStorage = 2;  // OpTypeImage's Sampled operand: a storage image
constexpr uint32_t kExecutionModelGLCompute = 5;
constexpr uint32_t kDecorationBufferBlock = 3;
constexpr uint32_t kStorageClassInput = 1;
constexpr uint32_t kStorageClassUniform = 2;
constexpr uint32_t kStorageClassWorkgroup = 4;
constexpr uint32_t kStorageClassPrivate = 6;
constexpr uint32_t kStorageClassFunction = 7;
constexpr uint32_t kStorageClassPushConstant = 9;
constexpr uint32_t kStorageClassStorageBuffer = 12;

// The capabilities a shader may declare, given what VulkanDevice enables (shaderInt8/16, 8- and
// 16-bit storage, the Vulkan memory model, shaderInt64 where present) and what every Vulkan 1.1
// device supports (basic subgroup operations, image size queries).
std::string CapabilityRefusal(uint32_t capability, const ComputeShaderLimits& limits) {
  switch (capability) {
    case 0:     // Matrix
    case 1:     // Shader
    case 22:    // Int16
    case 39:    // Int8
    case 50:    // ImageQuery (imageSize, textureSize)
    case 61:    // GroupNonUniform
    case 4433:  // StorageBuffer16BitAccess
    case 4448:  // StorageBuffer8BitAccess
    case 4449:  // UniformAndStorageBuffer8BitAccess
    case 5345:  // VulkanMemoryModel
    case 5346:  // VulkanMemoryModelDeviceScope
      return "";
    case 11:  // Int64
      return limits.int64 ? "" : "Int64 (the device has no shaderInt64)";
    case 5347:
      return "PhysicalStorageBufferAddresses (a shader must reach memory only through its "
             "bindings)";
    case spirv::kCapabilityTensorsARM:
      return "TensorsARM (compute shaders on Arm tensors need VK_ARM_tensors, which inferd does "
             "not use)";
    default:
      return absl::StrCat("capability ", capability, " (not enabled by inferd)");
  }
}

}  // namespace

absl::Status CheckComputeSpirv(std::span<const uint32_t> words, const ComputeSegment& segment,
                               const ComputeShaderLimits& limits) {
  const std::string label = absl::StrCat("compute segment '", segment.name, "'");
  auto instructions = spirv::SplitInstructions(words);
  if (!instructions.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": ", instructions.status().message()));
  }
  std::map<std::pair<uint32_t, uint32_t>, ComputeSegmentBinding::Kind> bound;
  for (const ComputeSegmentBinding& b : segment.bindings) bound[{b.set, b.binding}] = b.kind;

  bool entry_found = false;
  std::map<uint32_t, uint32_t> sets, bindings;  // variable -> DescriptorSet / Binding
  std::set<uint32_t> buffer_blocks;  // struct types decorated BufferBlock (old storage buffers)
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> pointers;  // pointer type -> (class, pointee)
  std::set<uint32_t> arrays;                                   // array and runtime-array types
  struct ImageType {
    uint32_t dim = 0;
    uint32_t sampled = 0;
  };
  std::map<uint32_t, ImageType> images;         // OpTypeImage
  std::map<uint32_t, uint32_t> sampled_images;  // OpTypeSampledImage -> its image type
  struct Variable {
    uint32_t id = 0;
    uint32_t pointer_type = 0;
    uint32_t storage_class = 0;
    size_t word_offset = 0;
  };
  std::vector<Variable> variables;
  for (const spirv::Instruction& inst : *instructions) {
    const auto& o = inst.operands;
    auto at = [&](std::string what) {
      return absl::StrCat(label, ", SPIR-V word ", inst.word_offset, ": ", std::move(what));
    };
    switch (inst.opcode) {
      case spirv::kOpCapability:
        if (o.empty()) return absl::InvalidArgumentError(at("OpCapability without operand"));
        if (std::string refusal = CapabilityRefusal(o[0], limits); !refusal.empty()) {
          return absl::UnimplementedError(at(absl::StrCat("the shader needs ", refusal)));
        }
        break;
      case spirv::kOpTypeTensorARM:
        return absl::UnimplementedError(
            at("the shader uses Arm tensor types (SPV_ARM_tensors); bind storage buffers"));
      case kOpEntryPoint: {
        if (o.size() < 3) return absl::InvalidArgumentError(at("OpEntryPoint is too short"));
        size_t index = 2;
        auto name = spirv::ReadLiteralString(o, &index);
        if (!name.ok()) return absl::InvalidArgumentError(at(std::string(name.status().message())));
        if (*name == segment.entry_point && o[0] == kExecutionModelGLCompute) entry_found = true;
        break;
      }
      case spirv::kOpDecorate:
        if (o.size() < 2) return absl::InvalidArgumentError(at("OpDecorate is too short"));
        if (o[1] == spirv::kDecorationDescriptorSet && o.size() >= 3) sets[o[0]] = o[2];
        if (o[1] == spirv::kDecorationBinding && o.size() >= 3) bindings[o[0]] = o[2];
        if (o[1] == kDecorationBufferBlock) buffer_blocks.insert(o[0]);
        break;
      case spirv::kOpTypePointer:
        if (o.size() < 3) return absl::InvalidArgumentError(at("OpTypePointer is too short"));
        pointers[o[0]] = {o[1], o[2]};
        break;
      case spirv::kOpTypeArray:
      case kOpTypeRuntimeArray:
        if (o.empty()) return absl::InvalidArgumentError(at("array type without result"));
        arrays.insert(o[0]);
        break;
      case kOpTypeImage:
        if (o.size() < 7) return absl::InvalidArgumentError(at("OpTypeImage is too short"));
        images[o[0]] = ImageType{o[2], o[6]};
        break;
      case kOpTypeSampledImage:
        if (o.size() < 2) return absl::InvalidArgumentError(at("OpTypeSampledImage is too short"));
        sampled_images[o[0]] = o[1];
        break;
      case spirv::kOpVariable:
        if (o.size() < 3) return absl::InvalidArgumentError(at("OpVariable is too short"));
        // Variables inside functions come after the module's declarations; their class is
        // Function, checked the same way.
        variables.push_back(Variable{o[1], o[0], o[2], inst.word_offset});
        break;
      default:
        break;
    }
  }
  if (!entry_found) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": the shader has no GLCompute entry point '", segment.entry_point, "'"));
  }
  using Kind = ComputeSegmentBinding::Kind;
  for (const Variable& v : variables) {
    const std::string where =
        absl::StrCat(label, ", SPIR-V word ", v.word_offset, ": variable %", v.id);
    switch (v.storage_class) {
      case kStorageClassInput:
      case kStorageClassWorkgroup:
      case kStorageClassPrivate:
      case kStorageClassFunction:
      case kStorageClassPushConstant:
        continue;
      case kStorageClassStorageBuffer:
      case kStorageClassUniform:
      case spirv::kStorageClassUniformConstant:
        break;
      default:
        return absl::UnimplementedError(absl::StrCat(
            where, " is in storage class ", v.storage_class,
            "; inferd binds storage buffers, storage images and combined image samplers (no "
            "physical pointers)"));
    }
    auto pointer = pointers.find(v.pointer_type);
    if (pointer == pointers.end()) {
      return absl::InvalidArgumentError(absl::StrCat(where, " has no pointer type"));
    }
    const uint32_t pointee = pointer->second.second;
    if (arrays.contains(pointee)) {
      return absl::UnimplementedError(absl::StrCat(
          where, " is an array of descriptors; inferd binds one resource per binding"));
    }
    // What the variable needs bound: a storage buffer, a storage image or a sampled image.
    Kind needs = Kind::kStorageBuffer;
    if (v.storage_class == spirv::kStorageClassUniformConstant) {
      uint32_t image_type = pointee;
      needs = Kind::kStorageImage;
      if (auto sampled = sampled_images.find(pointee); sampled != sampled_images.end()) {
        image_type = sampled->second;
        needs = Kind::kSampledImage;
      }
      auto image = images.find(image_type);
      if (image == images.end()) {
        return absl::UnimplementedError(
            absl::StrCat(where,
                         " is neither an image nor a combined image sampler (separate samplers and "
                         "texel buffers are not bound by inferd)"));
      }
      if (image->second.dim != kDim2D) {
        return absl::UnimplementedError(absl::StrCat(where, " is an image of dimensionality ",
                                                     image->second.dim,
                                                     "; inferd binds 2D images"));
      }
      if (needs == Kind::kStorageImage && image->second.sampled != kImageSampledStorage) {
        return absl::UnimplementedError(
            absl::StrCat(where,
                         " is a separate sampled image; inferd binds combined image "
                         "samplers and storage images"));
      }
    } else if (v.storage_class == kStorageClassUniform && !buffer_blocks.contains(pointee)) {
      return absl::UnimplementedError(absl::StrCat(
          where, " is a uniform buffer; inferd binds storage buffers, not uniform ones"));
    }
    auto set = sets.find(v.id);
    auto binding = bindings.find(v.id);
    if (set == sets.end() || binding == bindings.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " is a resource without DescriptorSet and Binding decorations"));
    }
    auto slot = bound.find({set->second, binding->second});
    if (slot == bound.end()) {
      return absl::InvalidArgumentError(absl::StrCat(where, " reads set ", set->second, " binding ",
                                                     binding->second,
                                                     ", which the segment does not bind"));
    }
    if (slot->second != needs) {
      static constexpr const char* kNames[] = {"a storage buffer", "a storage image",
                                               "a combined image sampler"};
      return absl::InvalidArgumentError(
          absl::StrCat(where, " at set ", set->second, " binding ", binding->second, " is ",
                       kNames[static_cast<int>(needs)], " in the shader but ",
                       kNames[static_cast<int>(slot->second)], " in the segment"));
    }
  }
  return absl::OkStatus();
}

}  // namespace inferd::graph::vgf
