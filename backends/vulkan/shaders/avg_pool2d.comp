// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// AVG_POOL2D, NHWC; padding positions are left out of both the sum and the count, as in the
// specification. Integers: the sum of (value - input_zp) in 64 bits, truncated to int32, scaled
// by reciprocal_scale(count) through apply_scale_32 (single round), plus output_zp, clipped to
// [out_min, out_max] (backends/cpu/kernels/pooling.cc). FP32: the sum in window order divided by
// the count, as the CPU kernel computes it.
#include "common.glsl"
#include "wide_int.glsl"
#ifdef FLOAT_MATH
#include "float_storage.glsl"
#endif
// FP32 directly; the narrow floats summed in fp32 through float_storage.glsl.
#ifndef LOAD_T
#define LOAD_T float
#endif
#ifndef STORE_T
#define STORE_T T
#endif

layout(std430, set = 0, binding = 0) readonly buffer Input { T input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { T output_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, channels, out_h, out_w, kernel_h, kernel_w;
  int stride_y, stride_x, pad_top, pad_left, input_zp, output_zp, out_min, out_max;
  uint total;
} p;

// DYNAMIC_ZP variants read the zero points from their tensors (the graph computes them: bindings
// 2 and 3, of the input's type) rather than from the push constants.
#ifdef DYNAMIC_ZP
layout(std430, set = 0, binding = 2) readonly buffer InputZp { T input_zp_data[]; };
layout(std430, set = 0, binding = 3) readonly buffer OutputZp { T output_zp_data[]; };
#define INPUT_ZP int(input_zp_data[0])
#define OUTPUT_ZP int(output_zp_data[0])
#else
#define INPUT_ZP p.input_zp
#define OUTPUT_ZP p.output_zp
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
  float acc = 0.0;
#else
  // Only the sum's low 32 bits are used (int(acc) in the specification), so a wrapping 32-bit sum
  // is exact.
  int acc = 0;
#endif
  int count = 0;
  for (int ky = 0; ky < p.kernel_h; ++ky) {
    const int y = oy * p.stride_y - p.pad_top + ky;
    if (y < 0 || y >= p.in_h) continue;
    for (int kx = 0; kx < p.kernel_w; ++kx) {
      const int x = ox * p.stride_x - p.pad_left + kx;
      if (x < 0 || x >= p.in_w) continue;
      ++count;
      const T value = input_data[((n * p.in_h + y) * p.in_w + x) * p.channels + c];
#ifdef FLOAT_MATH
      acc += LOAD_T(value);
#else
      acc += int(value) - INPUT_ZP;
#endif
    }
  }
#ifdef FLOAT_MATH
  output_data[index] = STORE_T(acc / float(count));
#else
  // reciprocal_scale(count): k the smallest power of two with 2^k >= count.
  const int k = count <= 1 ? 0 : 32 - (31 - findMSB(uint(count - 1)));
  const uint multiplier = ReciprocalScaleMultiplier(k, uint(count));
  const int shift = 30 + k;
  const int scaled = WideShiftRightLow(
      WideAdd(WideMulSignedUnsigned(acc, multiplier), WidePowerOfTwo(shift - 1)), shift);
  const Wide result = WideAdd(WideFromInt(scaled), WideFromInt(OUTPUT_ZP));
  output_data[index] = T(WideClampToInt(result, p.out_min, p.out_max));
#endif
}
