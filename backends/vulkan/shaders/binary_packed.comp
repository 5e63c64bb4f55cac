// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// FP32 ADD, SUB and MUL of two operands of the output's shape, four elements per invocation (a
// vec4 load of each and a vec4 store instead of four loads of each and four stores: on lavapipe
// every load and store is a loop over the invocations of a SIMD vector), for tensors whose element
// count is a multiple of four. The arithmetic is elementwise_binary.comp's, element by element.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { vec4 a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { vec4 b_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { vec4 output_data[]; };

layout(push_constant) uniform Params {
  int code;    // elementwise_binary.comp's: 0 ADD, 1 SUB, 2 MUL
  uint total;  // groups of four
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const vec4 a = a_data[index];
  const vec4 b = b_data[index];
  output_data[index] = p.code == 0 ? a + b : (p.code == 1 ? a - b : a * b);
}
