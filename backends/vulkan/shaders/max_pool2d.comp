// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// MAX_POOL2D, NHWC. Padding positions are skipped, as in the specification; float windows start
// from NaN under nan_mode IGNORE (so an all-NaN window stays NaN) and from -infinity otherwise.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { T input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { T output_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, channels, out_h, out_w, kernel_h, kernel_w;
  int stride_y, stride_x, pad_top, pad_left, nan_mode;
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
  const int c = int(index % uint(p.channels));
  uint rest = index / uint(p.channels);
  const int ox = int(rest % uint(p.out_w));
  rest /= uint(p.out_w);
  const int oy = int(rest % uint(p.out_h));
  const int n = int(rest / uint(p.out_h));
#ifdef FLOAT_MATH
  float acc = p.nan_mode == 2 ? uintBitsToFloat(0x7FC00000u) : uintBitsToFloat(0xFF800000u);
#else
  int acc = LOWEST;
#endif
  for (int ky = 0; ky < p.kernel_h; ++ky) {
    const int y = oy * p.stride_y - p.pad_top + ky;
    if (y < 0 || y >= p.in_h) continue;
    for (int kx = 0; kx < p.kernel_w; ++kx) {
      const int x = ox * p.stride_x - p.pad_left + kx;
      if (x < 0 || x >= p.in_w) continue;
#ifdef FLOAT_MATH
      acc = ApplyMax(acc, LOAD_T(input_data[((n * p.in_h + y) * p.in_w + x) * p.channels + c]),
                     p.nan_mode);
#else
      acc = max(acc, int(input_data[((n * p.in_h + y) * p.in_w + x) * p.channels + c]));
#endif
    }
  }
#ifdef FLOAT_MATH
  output_data[index] = STORE_T(acc);
#else
  output_data[index] = T(acc);
#endif
}
