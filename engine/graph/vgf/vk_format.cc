#include "engine/graph/vgf/vk_format.h"

namespace inferd::graph::vgf {
namespace {

struct FormatEntry {
  DType dtype;
  uint32_t vk_format;
};

// The first entry of a dtype is what the writer declares; later ones are only read.
constexpr FormatEntry kFormats[] = {
    {DType::kBool, 1000460000},  // VK_FORMAT_R8_BOOL_ARM
    {DType::kInt8, 14},          // VK_FORMAT_R8_SINT
    {DType::kInt16, 75},         // VK_FORMAT_R16_SINT
    {DType::kInt32, 99},         // VK_FORMAT_R32_SINT
    {DType::kInt48, 111},        // VK_FORMAT_R64_SINT: INT48 travels as 64-bit integers
    {DType::kFp16, 76},          // VK_FORMAT_R16_SFLOAT
    {DType::kFp32, 100},         // VK_FORMAT_R32_SFLOAT
};

}  // namespace

uint32_t VkFormatOf(DType dtype) {
  for (const FormatEntry& entry : kFormats) {
    if (entry.dtype == dtype) return entry.vk_format;
  }
  return 0;
}

std::optional<DType> DTypeOfVkFormat(uint32_t vk_format) {
  for (const FormatEntry& entry : kFormats) {
    if (entry.vk_format == vk_format) return entry.dtype;
  }
  return std::nullopt;
}

}  // namespace inferd::graph::vgf
