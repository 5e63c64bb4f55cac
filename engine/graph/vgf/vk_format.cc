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

std::optional<ImageFormat> ImageFormatOf(uint32_t vk_format) {
  struct Entry {
    uint32_t vk_format;
    ImageFormat format;
  };
  static constexpr Entry kImageFormats[] = {
      {9, {DType::kInt8, 1}},     // VK_FORMAT_R8_UNORM
      {13, {DType::kInt8, 1}},    // VK_FORMAT_R8_UINT
      {14, {DType::kInt8, 1}},    // VK_FORMAT_R8_SINT
      {37, {DType::kInt8, 4}},    // VK_FORMAT_R8G8B8A8_UNORM
      {41, {DType::kInt8, 4}},    // VK_FORMAT_R8G8B8A8_UINT
      {42, {DType::kInt8, 4}},    // VK_FORMAT_R8G8B8A8_SINT
      {75, {DType::kInt16, 1}},   // VK_FORMAT_R16_SINT
      {76, {DType::kFp16, 1}},    // VK_FORMAT_R16_SFLOAT
      {95, {DType::kInt16, 4}},   // VK_FORMAT_R16G16B16A16_SINT
      {97, {DType::kFp16, 4}},    // VK_FORMAT_R16G16B16A16_SFLOAT
      {99, {DType::kInt32, 1}},   // VK_FORMAT_R32_SINT
      {100, {DType::kFp32, 1}},   // VK_FORMAT_R32_SFLOAT
      {107, {DType::kInt32, 4}},  // VK_FORMAT_R32G32B32A32_SINT
      {109, {DType::kFp32, 4}},   // VK_FORMAT_R32G32B32A32_SFLOAT
  };
  for (const Entry& entry : kImageFormats) {
    if (entry.vk_format == vk_format) return entry.format;
  }
  return std::nullopt;
}

std::optional<DType> DTypeOfVkFormat(uint32_t vk_format) {
  for (const FormatEntry& entry : kFormats) {
    if (entry.vk_format == vk_format) return entry.dtype;
  }
  return std::nullopt;
}

}  // namespace inferd::graph::vgf
