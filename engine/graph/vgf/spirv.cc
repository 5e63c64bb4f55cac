#include "engine/graph/vgf/spirv.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace inferd::graph::vgf::spirv {

absl::StatusOr<std::vector<Instruction>> SplitInstructions(std::span<const uint32_t> words) {
  if (words.size() < kHeaderWords) {
    return absl::InvalidArgumentError(absl::StrCat("SPIR-V module of ", words.size(),
                                                   " words is shorter than its 5-word header"));
  }
  if (words[0] != kMagic) {
    return absl::InvalidArgumentError(
        absl::StrCat("SPIR-V module has magic 0x", absl::Hex(words[0]), "; expected 0x07230203"));
  }
  std::vector<Instruction> out;
  size_t at = kHeaderWords;
  while (at < words.size()) {
    const uint32_t count = words[at] >> 16;
    const auto opcode = static_cast<uint16_t>(words[at] & 0xFFFF);
    if (count == 0 || count > words.size() - at) {
      return absl::InvalidArgumentError(absl::StrCat("SPIR-V word ", at, ": ", OpcodeName(opcode),
                                                     " claims ", count, " words but ",
                                                     words.size() - at, " remain"));
    }
    out.push_back({opcode, words.subspan(at + 1, count - 1), at});
    at += count;
  }
  return out;
}

absl::StatusOr<std::string> ReadLiteralString(std::span<const uint32_t> operands, size_t* index) {
  std::string out;
  while (*index < operands.size()) {
    const uint32_t word = operands[(*index)++];
    for (int b = 0; b < 4; ++b) {
      const char c = static_cast<char>((word >> (8 * b)) & 0xFF);
      if (c == '\0') return out;
      out.push_back(c);
    }
  }
  return absl::InvalidArgumentError("SPIR-V literal string is not terminated");
}

void AppendLiteralString(std::vector<uint32_t>& words, std::string_view text) {
  const size_t count = text.size() / 4 + 1;
  const size_t start = words.size();
  words.resize(start + count, 0);
  std::memcpy(words.data() + start, text.data(), text.size());
}

std::string OpcodeName(uint16_t opcode) {
  switch (opcode) {
    case kOpExtInst:
      return "OpExtInst";
    case kOpFunction:
      return "OpFunction";
    case kOpSpecConstantTrue:
      return "OpSpecConstantTrue";
    case kOpSpecConstantFalse:
      return "OpSpecConstantFalse";
    case kOpSpecConstant:
      return "OpSpecConstant";
    case kOpSpecConstantComposite:
      return "OpSpecConstantComposite";
    case kOpSpecConstantOp:
      return "OpSpecConstantOp";
    case kOpSpecConstantCompositeReplicateEXT:
      return "OpSpecConstantCompositeReplicateEXT";
    case kOpTypeTensorARM:
      return "OpTypeTensorARM";
    case kOpGraphARM:
      return "OpGraphARM";
    case kOpGraphEndARM:
      return "OpGraphEndARM";
    case kOpGraphInputARM:
      return "OpGraphInputARM";
    case kOpGraphSetOutputARM:
      return "OpGraphSetOutputARM";
    case kOpCompositeExtract:
      return "OpCompositeExtract";
    default:
      return absl::StrCat("opcode ", opcode);
  }
}

}  // namespace inferd::graph::vgf::spirv
