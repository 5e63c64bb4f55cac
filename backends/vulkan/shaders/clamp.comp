// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// CLAMP. Integer bounds come sign extended in the push constants; float bounds as their bits. For
// floats the specification's max-then-min with its NaN rules (nan_mode 1 propagates, 2 ignores).
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { T input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { T output_data[]; };

layout(push_constant) uniform Params {
  int min_bits, max_bits, nan_mode;
  uint total;
} p;

#ifdef FLOAT_MATH
#include "float_minmax.glsl"
#endif
#ifdef FLOAT_MATH
#include "float_storage.glsl"
#endif
// How a float operand is read and a float result written: FP32 directly, the narrow floats through
// float_storage.glsl (LOAD_T / STORE_T name its functions in their variants).
#ifndef LOAD_T
#define LOAD_T float
#endif
#ifndef STORE_T
#define STORE_T T
#endif

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
#ifdef FLOAT_MATH
  const float lo = intBitsToFloat(p.min_bits);
  const float hi = intBitsToFloat(p.max_bits);
  const float value = ApplyMin(ApplyMax(LOAD_T(input_data[index]), lo, p.nan_mode), hi, p.nan_mode);
  output_data[index] = STORE_T(value);
#else
  const MATH_T value = MATH_T(input_data[index]);
  output_data[index] = T(clamp(value, MATH_T(p.min_bits), MATH_T(p.max_bits)));
#endif
}
