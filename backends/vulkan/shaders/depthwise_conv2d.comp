// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// DEPTHWISE_CONV2D, input [N,IH,IW,C], weight [KH,KW,C,M], bias [C*M] or [1], output
// [N,OH,OW,C*M]. One invocation per output element; integer and WIDE variants as in conv.comp.
#include "common.glsl"
#ifdef FLOAT_MATH
#include "float_storage.glsl"
#endif
#ifdef WIDE
#include "wide_int.glsl"
#endif
// How operands are read into ACC_T and the sum written: directly, or for the narrow floats
// through float_storage.glsl (the variants name its functions).
#ifndef LOAD_IN
#define LOAD_IN ACC_T
#endif
#ifndef LOAD_W
#define LOAD_W ACC_T
#endif
#ifndef LOAD_BIAS
#define LOAD_BIAS ACC_T
#endif
#ifndef STORE_OUT
#define STORE_OUT OUT_T
#endif

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Weight { W_T weight_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { BIAS_T bias_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { OUT_T output_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, in_c, out_h, out_w, multiplier, kernel_h, kernel_w;
  int stride_y, stride_x, pad_top, pad_left, dilation_y, dilation_x;
  int input_zp, weight_zp, bias_count;
  uint total;
} p;

// DYNAMIC_ZP variants read the zero points from their tensors (the graph computes them: bindings
// 4 and 5, of the input's and the weight's type) rather than from the push constants.
#ifdef DYNAMIC_ZP
layout(std430, set = 0, binding = 4) readonly buffer InputZpData { IN_T input_zp_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer WeightZpData { W_T weight_zp_data[]; };
#define INPUT_ZP int(input_zp_data[0])
#define WEIGHT_ZP int(weight_zp_data[0])
#else
#define INPUT_ZP p.input_zp
#define WEIGHT_ZP p.weight_zp
#endif

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const int out_c = p.in_c * p.multiplier;
  const int oc = int(index % uint(out_c));
  const int c = oc / p.multiplier;
  const int m = oc % p.multiplier;
  uint rest = index / uint(out_c);
  const int ox = int(rest % uint(p.out_w));
  rest /= uint(p.out_w);
  const int oy = int(rest % uint(p.out_h));
  const int n = int(rest / uint(p.out_h));
#ifdef WIDE
  Wide acc = WideFromInt(0);
#else
  ACC_T acc = ACC_T(0);
#endif
  for (int ky = 0; ky < p.kernel_h; ++ky) {
    const int iy = oy * p.stride_y - p.pad_top + ky * p.dilation_y;
    if (iy < 0 || iy >= p.in_h) continue;
    for (int kx = 0; kx < p.kernel_w; ++kx) {
      const int ix = ox * p.stride_x - p.pad_left + kx * p.dilation_x;
      if (ix < 0 || ix >= p.in_w) continue;
      const IN_T value = input_data[((n * p.in_h + iy) * p.in_w + ix) * p.in_c + c];
      const W_T weight = weight_data[((ky * p.kernel_w + kx) * p.in_c + c) * p.multiplier + m];
#if defined(FLOAT_MATH)
      acc += LOAD_IN(value) * LOAD_W(weight);
#elif defined(WIDE)
      acc = WideAdd(acc, WideMul(int(value) - INPUT_ZP, int(weight) - WEIGHT_ZP));
#else
      acc += (ACC_T(value) - ACC_T(INPUT_ZP)) * (ACC_T(weight) - ACC_T(WEIGHT_ZP));
#endif
    }
  }
#ifdef WIDE
  output_data[index] = WideAdd(acc, bias_data[p.bias_count == 1 ? 0 : oc]);
#else
  acc += LOAD_BIAS(bias_data[p.bias_count == 1 ? 0 : oc]);
  output_data[index] = STORE_OUT(acc);
#endif
}
