#include "backends/vulkan/stored_form.h"

#include <cstring>

namespace inferd::vulkan {

using graph::DType;

std::optional<int64_t> StoredDataSize(DType dtype, int64_t elements) {
  if (elements < 0) return std::nullopt;
  if (dtype == DType::kInt4) return elements;
  if (dtype == DType::kInt48) {
    if (elements > INT64_MAX / 8) return std::nullopt;
    return elements * 8;
  }
  return graph::DTypeDataSize(dtype, elements);
}

std::vector<uint8_t> ToStoredForm(DType dtype, std::span<const uint8_t> packed, int64_t elements) {
  if (!StoredFormDiffers(dtype)) return std::vector<uint8_t>(packed.begin(), packed.end());
  std::vector<uint8_t> stored(static_cast<size_t>(StoredDataSize(dtype, elements).value_or(0)));
  for (int64_t i = 0; i < elements; ++i) {
    if (dtype == DType::kInt4) {
      const uint8_t byte = packed[static_cast<size_t>(i / 2)];
      const uint8_t nibble = i % 2 == 0 ? byte & 0x0f : byte >> 4;
      // Bit 3 is the sign: the nibble moved to the top of an int8 and shifted back extends it.
      stored[i] = static_cast<uint8_t>(static_cast<int8_t>(nibble << 4) >> 4);
    } else {
      const uint8_t* from = packed.data() + i * 6;
      uint8_t* to = stored.data() + i * 8;
      std::memcpy(to, from, 6);
      to[6] = to[7] = (from[5] & 0x80) != 0 ? 0xff : 0x00;  // sign-extended
    }
  }
  return stored;
}

}  // namespace inferd::vulkan
