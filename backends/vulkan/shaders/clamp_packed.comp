// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// CLAMP of INT8 four elements per invocation (one uint load and store instead of four byte ones),
// for tensors whose element count is a multiple of four; the same results as clamp.comp.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { uint input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint output_data[]; };

layout(push_constant) uniform Params {
  int min_bits, max_bits, nan_mode;
  uint total;  // groups of four
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const int word = int(input_data[index]);
  uint packed = 0u;
  for (int lane = 0; lane < 4; ++lane) {
    const int value = clamp(bitfieldExtract(word, lane * 8, 8), p.min_bits, p.max_bits);
    packed |= (uint(value) & 0xFFu) << (lane * 8);
  }
  output_data[index] = packed;
}
