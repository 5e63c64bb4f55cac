// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// A quantised ADD in one pass (epilogue_fusion.h's RescaledAddFusion): RESCALE both INT8 operands
// to INT32, ADD them (wrapping, as binary_i32 does), RESCALE the sum to INT8, then the CLAMP (the
// whole INT8 range where the graph has none). Four elements per invocation, as packed uints; the
// operands and the result have the same shape, a multiple of 4 elements. Each step is the
// arithmetic of its own shader (rescale_math.glsl; clamp_packed.comp reads back the RESCALE's low
// byte sign extended), so the bytes equal running the five operators one by one, and the INT32
// tensors between them never reach memory.
#include "common.glsl"
#include "wide_int.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { uint a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { uint b_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint output_data[]; };

// rescale_math.glsl's parameters of one RESCALE (per tensor), then its multiplier and shift.
struct RescaleParams {
  int input_zp, output_zp, out_min, out_max, channels, flags, multiplier, shift;
};

layout(push_constant) uniform Params {
  RescaleParams rescale[3];  // the first operand's, the second's, the sum's
  int clamp_min, clamp_max;
  uint total;  // groups of four
} p;

// The RESCALE rescale_math.glsl applies, and the mask of its input type (for unsigned views).
RescaleParams current;
uint current_mask;
#define RESCALE_PARAMS current
#define IN_MASK current_mask
// The multipliers and shifts are push constants (no load per invocation), not buffers.
#define RESCALE_WITHOUT_CHANNEL_BUFFERS 1
#include "rescale_math.glsl"

int Rescaled(int stored, int which, uint mask) {
  current = p.rescale[which];
  current_mask = mask;
  return RescaleWith(stored, current.multiplier, current.shift);
}

ivec4 Unpack(uint word) {
  const int i = int(word);
  return ivec4(bitfieldExtract(i, 0, 8), bitfieldExtract(i, 8, 8), bitfieldExtract(i, 16, 8),
               bitfieldExtract(i, 24, 8));
}

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const ivec4 a = Unpack(a_data[index]);
  const ivec4 b = Unpack(b_data[index]);
  uint packed = 0u;
  for (int lane = 0; lane < 4; ++lane) {
    const int sum = Rescaled(a[lane], 0, 0xFFu) + Rescaled(b[lane], 1, 0xFFu);
    const int narrowed = Rescaled(sum, 2, 0xFFFFFFFFu);
    const int value = clamp(bitfieldExtract(narrowed, 0, 8), p.clamp_min, p.clamp_max);
    packed |= (uint(value) & 0xFFu) << (8 * lane);
  }
  output_data[index] = packed;
}
