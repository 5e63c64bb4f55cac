#include "backends/cpu/constant_layout.h"

#include <cstring>

#include "backends/cpu/kernel_binding.h"

namespace inferd::cpu {

bool NeedsDecoding(graph::DType dtype) {
  return dtype == graph::DType::kInt48 || dtype == graph::DType::kInt4;
}

void DecodeConstantData(const graph::Tensor& tensor, int64_t elements, uint8_t* destination) {
  const std::vector<uint8_t>& data = tensor.data;
  switch (tensor.dtype) {
    case graph::DType::kInt48:
      for (int64_t i = 0; i < elements; ++i) {
        // 6 little-endian bytes, sign-extended.
        uint64_t raw = 0;
        for (int b = 5; b >= 0; --b) raw = (raw << 8) | data[static_cast<size_t>(i) * 6 + b];
        const int64_t value = static_cast<int64_t>(raw << 16) >> 16;
        std::memcpy(destination + i * 8, &value, 8);
      }
      return;
    case graph::DType::kInt4:
      for (int64_t i = 0; i < elements; ++i) {
        const uint8_t byte = data[static_cast<size_t>(i / 2)];
        const uint8_t nibble = (i % 2 == 0) ? (byte & 0x0f) : (byte >> 4);
        // Sign-extend the 4-bit two's-complement value.
        destination[i] = static_cast<uint8_t>(static_cast<int8_t>(nibble << 4) >> 4);
      }
      return;
    default:
      std::memcpy(destination, data.data(),
                  static_cast<size_t>(elements) * StorageElementBytes(tensor.dtype));
      return;
  }
}

}  // namespace inferd::cpu
