// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// TABLE. INT8: output = table[value + 128] (256 entries). INT16 to INT32: the specification's
// interpolation over 513 entries, as backends/cpu/kernels/tosa_arith.h's LookupInt16: index =
// (value + 32768) >> 7, fraction = value & 0x7f, base * 128 + (next - base) * fraction.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Table { IN_T table_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { OUT_T output_data[]; };

layout(push_constant) uniform Params {
  uint total;
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const int value = int(input_data[index]);
#ifdef INTERPOLATE
  const int entry = (value + 32768) >> 7;
  const int base = int(table_data[entry]);
  const int next = int(table_data[entry + 1]);
  output_data[index] = OUT_T(base * 128 + (next - base) * (value & 0x7f));
#else
  output_data[index] = table_data[value + 128];
#endif
}
