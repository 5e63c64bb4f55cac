#version 450
// CONV2D, NHWC input [N,IH,IW,IC], weight [OC,KH,KW,IC], bias [OC] or [1], output [N,OH,OW,OC].
// One invocation per output element. Integer variants subtract the zero points and accumulate in
// int32 as the specification does (wrapping like the CPU kernel); taps outside the input add
// nothing.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Weight { W_T weight_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { BIAS_T bias_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { OUT_T output_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, in_c, out_h, out_w, out_c, kernel_h, kernel_w;
  int stride_y, stride_x, pad_top, pad_left, dilation_y, dilation_x;
  int input_zp, weight_zp, bias_count;
  uint total;
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const int oc = int(index % uint(p.out_c));
  uint rest = index / uint(p.out_c);
  const int ox = int(rest % uint(p.out_w));
  rest /= uint(p.out_w);
  const int oy = int(rest % uint(p.out_h));
  const int n = int(rest / uint(p.out_h));
  ACC_T acc = ACC_T(0);
  for (int ky = 0; ky < p.kernel_h; ++ky) {
    const int iy = oy * p.stride_y - p.pad_top + ky * p.dilation_y;
    if (iy < 0 || iy >= p.in_h) continue;
    for (int kx = 0; kx < p.kernel_w; ++kx) {
      const int ix = ox * p.stride_x - p.pad_left + kx * p.dilation_x;
      if (ix < 0 || ix >= p.in_w) continue;
      const int in_base = ((n * p.in_h + iy) * p.in_w + ix) * p.in_c;
      const int w_base = ((oc * p.kernel_h + ky) * p.kernel_w + kx) * p.in_c;
      for (int ic = 0; ic < p.in_c; ++ic) {
#ifdef FLOAT_MATH
        acc += ACC_T(input_data[in_base + ic]) * ACC_T(weight_data[w_base + ic]);
#else
        acc += (ACC_T(input_data[in_base + ic]) - ACC_T(p.input_zp)) *
               (ACC_T(weight_data[w_base + ic]) - ACC_T(p.weight_zp));
#endif
      }
    }
  }
  acc += ACC_T(bias_data[p.bias_count == 1 ? 0 : oc]);
  output_data[index] = OUT_T(acc);
}
