// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// RESCALE with the specification's exact arithmetic (rescale_math.glsl). Multipliers and shifts
// arrive as int32 whatever their stored width; one per channel (the last dimension) or one for all.
// IN_WIDE: an INT48 input, held as int64 (IN_T Wide; backends/vulkan/stored_form.h).
// Where the specification's REQUIREs fail the result matches the CPU kernel's arithmetic, but the
// CPU backend reports the failure and this shader cannot.
#include "common.glsl"
#include "wide_int.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
#ifdef DYNAMIC_PARAMS
// Multipliers, shifts and zero points the graph computes (EXT-DYNAMIC): their own tensors, the
// multipliers read as 16-bit words (INT16 or INT32), the shifts as INT8, the zero points of the
// input's and the output's type.
layout(std430, set = 0, binding = 1) readonly buffer Multiplier { uint16_t multiplier_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Shift { int8_t shift_data[]; };
#else
layout(std430, set = 0, binding = 1) readonly buffer Multiplier { int multiplier_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Shift { int shift_data[]; };
#endif
layout(std430, set = 0, binding = 3) writeonly buffer Output { OUT_T output_data[]; };
#ifdef DYNAMIC_PARAMS
layout(std430, set = 0, binding = 4) readonly buffer InputZp { IN_T input_zp_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer OutputZp { OUT_T output_zp_data[]; };
#endif

layout(push_constant) uniform Params {
  int input_zp, output_zp, out_min, out_max, channels, flags;
  uint total;
} p;

#include "rescale_math.glsl"

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const uint channel = (p.flags & kPerChannel) != 0 ? index % uint(p.channels) : 0u;
#ifdef IN_WIDE
  output_data[index] = OUT_T(RescaleWideElement(input_data[index], channel));
#else
  output_data[index] = OUT_T(RescaleElement(int(input_data[index]), channel));
#endif
}
