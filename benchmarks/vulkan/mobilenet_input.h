// The input the Vulkan benchmarks feed the MobileNetV2-shaped graphs: a fixed pattern, with FP32
// values in [-0.5, 0.5). Every benchmark feeds the same one, because inputs change speed: bytes of
// 0x01 read as FP32 are tiny (about 2.4e-38), their products are subnormal, and x86 cores handle
// subnormals tens of times slower, which once made the FP32 stem look 6 times slower than it is.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace inferd::bench {

// `bytes` bytes of the pattern; float_values: 4-byte FP32 values in [-0.5, 0.5) instead of bytes.
inline std::vector<uint8_t> PatternInput(size_t bytes, bool float_values) {
  std::vector<uint8_t> input(bytes);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>((i * 31 + 7) % 251);
  if (float_values) {
    for (size_t i = 0; i + 4 <= input.size(); i += 4) {
      const float value = static_cast<float>((i / 4) % 97) / 97.0f - 0.5f;
      std::memcpy(&input[i], &value, 4);
    }
  }
  return input;
}

}  // namespace inferd::bench
