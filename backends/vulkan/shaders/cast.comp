#version 450
// CAST between BOOL, INT8, INT16, INT32 and FP32, as the CPU kernel (backends/cpu/kernels/cast.cc):
// - to BOOL: 1 for any non-zero value (NaN included), else 0;
// - from BOOL: 1 or 0 (1.0 or 0.0);
// - integer to integer: sign extend or keep the low bits (truncation);
// - float to integer: round half to even (roundEven is exact), then clip to the output's range,
//   comparing in float against bounds float holds exactly (the upper one as max + 1); NaN gives 0
//   (an error the CPU backend reports);
// - integer to float: the nearest float.
// IN_KIND / OUT_KIND: 0 integer, 1 BOOL, 2 FP32.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { OUT_T output_data[]; };

layout(push_constant) uniform Params {
  uint total;
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
#if IN_KIND == 2
  const float x = input_data[index];
#else
  const int x = int(input_data[index]);
#endif
#if OUT_KIND == 1
  output_data[index] = OUT_T(x != 0 ? 1 : 0);
#elif IN_KIND == 1
  output_data[index] = OUT_T(x != 0 ? 1 : 0);
#elif OUT_KIND == 2
  output_data[index] = float(x);
#elif IN_KIND == 2
  int result;
  const float rounded = roundEven(x);
  if (isnan(x)) {
    result = 0;
  } else if (rounded >= OUT_MAX_PLUS_ONE) {
    result = OUT_MAX;
  } else if (rounded <= float(OUT_MIN)) {
    result = OUT_MIN;
  } else {
    result = int(rounded);
  }
  output_data[index] = OUT_T(result);
#else
  output_data[index] = OUT_T(x);
#endif
}
