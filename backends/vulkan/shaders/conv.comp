// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// CONV2D, CONV3D and TRANSPOSE_CONV2D as one gather per output element. Input NDHWC
// [N,ID,IH,IW,IC], weight [OC,KD,KH,KW,IC], bias [OC] or [1], output [N,OD,OH,OW,OC]; the 2-D
// operators have depth 1. Along each axis, output coordinate o and kernel tap k meet the input at
//   i = (o * stride - pad + k * dilation) / step,
// and only where that division is exact and i lies inside the input. A convolution has step 1; a
// transposed convolution has stride 1, pad = out_pad, dilation -1 and step = its stride (the
// specification's gather form). Taps are visited in the order kd, ky, kx, ic. Integer variants
// subtract the zero points and accumulate in int32 as the specification does (wrapping like the
// CPU kernel); taps outside the input add nothing; the bias is added last. WIDE variants (INT16 x
// INT8 into INT48) sum exact 64-bit products and take and give the bias and output as int64
// (wide_int.glsl's Wide, the layout backends/vulkan/stored_form.h holds INT48 in).
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

// Per axis: [0] depth, [1] height, [2] width.
layout(push_constant) uniform Params {
  ivec3 in_size;
  int in_c;
  ivec3 out_size;
  int out_c;
  ivec3 kernel;
  int input_zp;
  ivec3 stride;
  int weight_zp;
  ivec3 pad;
  int bias_count;
  ivec3 dilation;
  uint total;
  ivec3 step;
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

// The input coordinate along `axis` for output `o` and tap `k`, or -1 where there is none.
int Source(int axis, int o, int k) {
  const int v = o * p.stride[axis] - p.pad[axis] + k * p.dilation[axis];
  if (v < 0) return -1;
  const int s = p.step[axis];
  if (s != 1 && v % s != 0) return -1;
  const int i = v / s;
  return i < p.in_size[axis] ? i : -1;
}

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const int oc = int(index % uint(p.out_c));
  uint rest = index / uint(p.out_c);
  const int ox = int(rest % uint(p.out_size.z));
  rest /= uint(p.out_size.z);
  const int oy = int(rest % uint(p.out_size.y));
  rest /= uint(p.out_size.y);
  const int od = int(rest % uint(p.out_size.x));
  const int n = int(rest / uint(p.out_size.x));
#ifdef WIDE
  Wide acc = WideFromInt(0);
#else
  ACC_T acc = ACC_T(0);
#endif
  for (int kd = 0; kd < p.kernel.x; ++kd) {
    const int iz = Source(0, od, kd);
    if (iz < 0) continue;
    for (int ky = 0; ky < p.kernel.y; ++ky) {
      const int iy = Source(1, oy, ky);
      if (iy < 0) continue;
      for (int kx = 0; kx < p.kernel.z; ++kx) {
        const int ix = Source(2, ox, kx);
        if (ix < 0) continue;
        const int in_base =
            (((n * p.in_size.x + iz) * p.in_size.y + iy) * p.in_size.z + ix) * p.in_c;
        const int w_base = (((oc * p.kernel.x + kd) * p.kernel.y + ky) * p.kernel.z + kx) * p.in_c;
        for (int ic = 0; ic < p.in_c; ++ic) {
#if defined(FLOAT_MATH)
          acc += LOAD_IN(input_data[in_base + ic]) * LOAD_W(weight_data[w_base + ic]);
#elif defined(WIDE)
          acc = WideAdd(acc, WideMul(int(input_data[in_base + ic]) - INPUT_ZP,
                                     int(weight_data[w_base + ic]) - WEIGHT_ZP));
#else
          acc += (ACC_T(input_data[in_base + ic]) - ACC_T(INPUT_ZP)) *
                 (ACC_T(weight_data[w_base + ic]) - ACC_T(WEIGHT_ZP));
#endif
        }
      }
    }
  }
#ifdef WIDE
  output_data[index] = WideAdd(acc, bias_data[p.bias_count == 1 ? 0 : oc]);
#else
  acc += LOAD_BIAS(bias_data[p.bias_count == 1 ? 0 : oc]);
  output_data[index] = STORE_OUT(acc);
#endif
}
