#version 450
// DEPTHWISE_CONV2D with channel multiplier 1 and C % 4 == 0, register-blocked like
// conv2d_blocked.comp: each invocation computes one output pixel for a block of 8 channels, the
// invocations of a workgroup share the block (weights read at workgroup-uniform addresses), and
// each tap loads the block's input channels as two 4-element vectors (4 packed int8 in a uint, or
// a vec4). Input [N,IH,IW,C]; weights from the lowering's derived buffer [KH][KW][C] (weight minus
// its zero point as int32, or the float); bias [C] or [1]; output [N,OH,OW,C] as 4-vectors.
// Integer results equal depthwise_conv2d.comp's (wrapping int32 sums, taps outside the input add
// 0); invocations past the last pixel compute a copy of it and skip the store.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Weight { VEC4_T weight_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { ACC_T bias_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { VEC4_T output_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, channels, out_h, out_w, kernel_h, kernel_w;
  int stride_y, stride_x, pad_top, pad_left, dilation_y, dilation_x;
  int input_zp, bias_count, pixels;
  uint pixel_groups;  // workgroups per block of 8 channels
  uint groups;  // the dispatch's workgroups that have work; a 2-D dispatch may add some
} p;

VEC4_T Unpack(IN_T v) {
#ifdef FLOAT_MATH
  return v;
#else
  const int i = int(v);
  return ivec4(bitfieldExtract(i, 0, 8), bitfieldExtract(i, 8, 8), bitfieldExtract(i, 16, 8),
               bitfieldExtract(i, 24, 8)) - p.input_zp;
#endif
}

void main() {
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (group >= p.groups) return;
  const int block = int(group / p.pixel_groups);
  const int pixel = int((group % p.pixel_groups) * WORKGROUP_SIZE + gl_LocalInvocationID.x);
  const int q = min(pixel, p.pixels - 1);
  const int ox = q % p.out_w;
  const int oy = (q / p.out_w) % p.out_h;
  const int n = q / (p.out_w * p.out_h);
  const int vecs = p.channels / 4;
  const int v0 = block * 2;
  // A block of 4 channels at the end when C % 8 == 4: its second half reads the first again.
  const int v1 = min(v0 + 1, vecs - 1);
  VEC4_T acc0 = VEC4_T(0);
  VEC4_T acc1 = VEC4_T(0);
  for (int ky = 0; ky < p.kernel_h; ++ky) {
    const int iy = oy * p.stride_y - p.pad_top + ky * p.dilation_y;
    const bool row_inside = iy >= 0 && iy < p.in_h;
    for (int kx = 0; kx < p.kernel_w; ++kx) {
      const int ix = ox * p.stride_x - p.pad_left + kx * p.dilation_x;
      const bool inside = row_inside && ix >= 0 && ix < p.in_w;
      const int base =
          ((n * p.in_h + clamp(iy, 0, p.in_h - 1)) * p.in_w + clamp(ix, 0, p.in_w - 1)) * vecs;
      const int w = (ky * p.kernel_w + kx) * vecs;
      // Loaded by every invocation, then selected: no divergent branch around the loads.
      const IN_T packed0 = input_data[base + v0];
      const IN_T packed1 = input_data[base + v1];
      const VEC4_T x0 = inside ? Unpack(packed0) : VEC4_T(0);
      const VEC4_T x1 = inside ? Unpack(packed1) : VEC4_T(0);
      acc0 += x0 * weight_data[w + v0];
      acc1 += x1 * weight_data[w + v1];
    }
  }
  const int c = v0 * 4;
  const bool one_bias = p.bias_count == 1;
  for (int i = 0; i < 4; ++i) {
    acc0[i] += bias_data[one_bias ? 0 : c + i];
  }
  if (pixel >= p.pixels) return;
  const int at = q * vecs;
  output_data[at + v0] = acc0;
  if (v0 + 1 < vecs) {
    for (int i = 0; i < 4; ++i) {
      acc1[i] += bias_data[one_bias ? 0 : c + 4 + i];
    }
    output_data[at + v1] = acc1;
  }
}
