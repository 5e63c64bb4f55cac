// The slice of SPIR-V that VGF graph modules use: opcode and enum values (from the public SPIR-V
// grammar, SPV_ARM_graph and SPV_ARM_tensors), and a bounds-checked split of a word stream into
// instructions. Shared by the VGF graph decoder and writer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::graph::vgf::spirv {

inline constexpr uint32_t kMagic = 0x07230203;
inline constexpr size_t kHeaderWords = 5;

enum Opcode : uint16_t {
  kOpNop = 0,
  kOpSourceContinued = 2,
  kOpSource = 3,
  kOpSourceExtension = 4,
  kOpName = 5,
  kOpMemberName = 6,
  kOpString = 7,
  kOpLine = 8,
  kOpExtension = 10,
  kOpExtInstImport = 11,
  kOpExtInst = 12,
  kOpMemoryModel = 14,
  kOpCapability = 17,
  kOpTypeBool = 20,
  kOpTypeInt = 21,
  kOpTypeFloat = 22,
  kOpTypeArray = 28,
  kOpTypeStruct = 30,
  kOpTypePointer = 32,
  kOpConstantTrue = 41,
  kOpConstantFalse = 42,
  kOpConstant = 43,
  kOpConstantComposite = 44,
  kOpConstantNull = 46,
  kOpSpecConstantTrue = 48,
  kOpSpecConstantFalse = 49,
  kOpSpecConstant = 50,
  kOpSpecConstantComposite = 51,
  kOpSpecConstantOp = 52,
  kOpFunction = 54,
  kOpVariable = 59,
  kOpDecorate = 71,
  kOpMemberDecorate = 72,
  kOpCompositeExtract = 81,
  kOpNoLine = 317,
  kOpModuleProcessed = 330,
  kOpTypeTensorARM = 4163,
  kOpGraphConstantARM = 4181,
  kOpGraphEntryPointARM = 4182,
  kOpGraphARM = 4183,
  kOpGraphInputARM = 4184,
  kOpGraphSetOutputARM = 4185,
  kOpGraphEndARM = 4186,
  kOpTypeGraphARM = 4190,
  kOpConstantCompositeReplicateEXT = 4461,
  kOpSpecConstantCompositeReplicateEXT = 4462,
};

inline constexpr uint32_t kCapabilityShader = 1;
inline constexpr uint32_t kCapabilityFloat16 = 9;
inline constexpr uint32_t kCapabilityInt64 = 11;
inline constexpr uint32_t kCapabilityInt16 = 22;
inline constexpr uint32_t kCapabilityInt8 = 39;
inline constexpr uint32_t kCapabilityVulkanMemoryModel = 5345;
inline constexpr uint32_t kCapabilityTensorsARM = 4174;
inline constexpr uint32_t kCapabilityGraphARM = 4191;
inline constexpr uint32_t kCapabilityReplicatedCompositesEXT = 6024;

inline constexpr uint32_t kDecorationBinding = 33;
inline constexpr uint32_t kDecorationDescriptorSet = 34;
inline constexpr uint32_t kStorageClassUniformConstant = 0;
inline constexpr uint32_t kAddressingLogical = 0;
inline constexpr uint32_t kMemoryModelVulkan = 3;
inline constexpr uint32_t kFPEncodingBFloat16KHR = 0;
inline constexpr uint32_t kFPEncodingFloat8E4M3EXT = 4214;
inline constexpr uint32_t kFPEncodingFloat8E5M2EXT = 4215;
inline constexpr uint32_t kCapabilityFloat8EXT = 4212;
inline constexpr uint32_t kCapabilityBFloat16TypeKHR = 5116;

inline constexpr char kTosaInstructionSet[] = "TOSA.001000.1";

struct Instruction {
  uint16_t opcode = 0;
  std::span<const uint32_t> operands;  // the words after the opcode word
  size_t word_offset = 0;              // where the instruction starts in the module
};

// Checks the 5-word header (magic, bound) and splits the rest into instructions; every word count
// is checked against the module's end.
absl::StatusOr<std::vector<Instruction>> SplitInstructions(std::span<const uint32_t> words);

// A null-terminated literal string starting at operands[*index]; advances *index past it.
absl::StatusOr<std::string> ReadLiteralString(std::span<const uint32_t> operands, size_t* index);

// Appends `text` as a null-terminated, zero-padded literal string.
void AppendLiteralString(std::vector<uint32_t>& words, std::string_view text);

// The SPIR-V spelling of opcodes this code knows ("OpFunction"), else "opcode N".
std::string OpcodeName(uint16_t opcode);

}  // namespace inferd::graph::vgf::spirv
