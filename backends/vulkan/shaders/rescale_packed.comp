// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// RESCALE four consecutive elements per invocation, for INT8 and INT32 tensors whose element count
// is a multiple of four: four INT8 values travel as one uint, four INT32 as one ivec4, so an
// invocation makes one load and one store where rescale.comp makes four of each (on lavapipe the
// number of memory instructions, not the arithmetic, decides the speed). The arithmetic is
// rescale.comp's (rescale_math.glsl), so the bytes are the same.
// IN_PACKED / OUT_PACKED: 1 for four INT8 in a uint, 0 for an ivec4 of INT32.
#include "common.glsl"
#include "wide_int.glsl"

#if IN_PACKED
layout(std430, set = 0, binding = 0) readonly buffer Input { uint input_data[]; };
#else
layout(std430, set = 0, binding = 0) readonly buffer Input { ivec4 input_data[]; };
#endif
layout(std430, set = 0, binding = 1) readonly buffer Multiplier { int multiplier_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Shift { int shift_data[]; };
#if OUT_PACKED
layout(std430, set = 0, binding = 3) writeonly buffer Output { uint output_data[]; };
#else
layout(std430, set = 0, binding = 3) writeonly buffer Output { ivec4 output_data[]; };
#endif

layout(push_constant) uniform Params {
  int input_zp, output_zp, out_min, out_max, channels, flags;
  uint total;  // groups of four
} p;

#include "rescale_math.glsl"

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
#if IN_PACKED
  const uint word = input_data[index];
  const ivec4 stored = ivec4(bitfieldExtract(int(word), 0, 8), bitfieldExtract(int(word), 8, 8),
                             bitfieldExtract(int(word), 16, 8), bitfieldExtract(int(word), 24, 8));
#else
  const ivec4 stored = input_data[index];
#endif
  // One division per invocation: the lanes' channels follow the first's, wrapping at the count.
  const bool per_channel = (p.flags & kPerChannel) != 0;
  uint channel = per_channel ? (index * 4u) % uint(p.channels) : 0u;
  ivec4 result;
  for (int lane = 0; lane < 4; ++lane) {
    result[lane] = RescaleElement(stored[lane], channel);
    if (per_channel && ++channel == uint(p.channels)) channel = 0u;
  }
#if OUT_PACKED
  uint packed = uint(result.x) & 0xFFu;
  packed |= (uint(result.y) & 0xFFu) << 8;
  packed |= (uint(result.z) & 0xFFu) << 16;
  packed |= (uint(result.w) & 0xFFu) << 24;
  output_data[index] = packed;
#else
  output_data[index] = result;
#endif
}
