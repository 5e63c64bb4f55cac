// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// DEPTHWISE_CONV2D with channel multiplier 1 and C % 4 == 0, register-blocked like
// conv2d_blocked.comp: each invocation computes PIXELS output pixels (spaced one workgroup apart)
// for a block of 8 channels that its whole workgroup shares, so each tap's weights are read once
// at a workgroup-uniform address for PIXELS pixels, and inputs and weights are read 4 channels at
// a time (4 packed int8 in a uint, or a vec4). Input [N,IH,IW,C]; weight [KH,KW,C,1] as stored
// (the zero point is subtracted here); bias [C] or [1]; output [N,OH,OW,C] as 4-vectors.
// Integer results equal depthwise_conv2d.comp's (wrapping int32 sums, taps outside the input add
// 0; every invocation loads, then selects); invocations past the last pixel compute a copy of it
// and skip the store. The sums pass through conv_epilogue.glsl on their way out.
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require
#include "conv_epilogue.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Weight { IN_T weight_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { ACC_T bias_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, channels, out_h, out_w, kernel_h, kernel_w;
  int stride_y, stride_x, pad_top, pad_left, dilation_y, dilation_x;
  int input_zp, weight_zp, bias_count, pixels;
  uint pixel_groups;  // workgroups per block of 8 channels
  uint groups;        // the dispatch's workgroups that have work; a 2-D dispatch may add some
  EPILOGUE_PARAMS
} p;

#include "conv_epilogue.glsl"

VEC4_T Unpack(IN_T v, int zero_point) {
#ifdef FLOAT_MATH
  return v;
#else
  const int i = int(v);
  return ivec4(bitfieldExtract(i, 0, 8), bitfieldExtract(i, 8, 8), bitfieldExtract(i, 16, 8),
               bitfieldExtract(i, 24, 8)) - zero_point;
#endif
}

void main() {
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (group >= p.groups) return;
  const int block = int(group / p.pixel_groups);
  const int first =
      int((group % p.pixel_groups) * (PIXELS * WORKGROUP_SIZE) + gl_LocalInvocationID.x);
  const int vecs = p.channels / 4;
  const int v0 = block * 2;
  // A last block of 4 channels (C % 8 == 4) reads its first half again as the second.
  const int v1 = min(v0 + 1, vecs - 1);
  int n[PIXELS], oy[PIXELS], ox[PIXELS];
  VEC4_T lo[PIXELS], hi[PIXELS];
  [[unroll]] for (int i = 0; i < PIXELS; ++i) {
    const int q = min(first + i * WORKGROUP_SIZE, p.pixels - 1);
    n[i] = q / (p.out_w * p.out_h);
    oy[i] = (q / p.out_w) % p.out_h;
    ox[i] = q % p.out_w;
    lo[i] = VEC4_T(0);
    hi[i] = VEC4_T(0);
  }
  for (int ky = 0; ky < p.kernel_h; ++ky) {
    for (int kx = 0; kx < p.kernel_w; ++kx) {
      const int w = (ky * p.kernel_w + kx) * vecs;
      const VEC4_T w_lo = Unpack(weight_data[w + v0], p.weight_zp);
      const VEC4_T w_hi = Unpack(weight_data[w + v1], p.weight_zp);
      [[unroll]] for (int i = 0; i < PIXELS; ++i) {
        const int iy = oy[i] * p.stride_y - p.pad_top + ky * p.dilation_y;
        const int ix = ox[i] * p.stride_x - p.pad_left + kx * p.dilation_x;
        const bool inside = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
        const int base =
            ((n[i] * p.in_h + clamp(iy, 0, p.in_h - 1)) * p.in_w + clamp(ix, 0, p.in_w - 1)) *
            vecs;
        const IN_T raw_lo = input_data[base + v0];
        const IN_T raw_hi = input_data[base + v1];
#ifdef FLOAT_MATH
        // A float tap outside is skipped, as the CPU does (0 times an infinite weight is NaN).
        lo[i] = inside ? lo[i] + raw_lo * w_lo : lo[i];
        hi[i] = inside ? hi[i] + raw_hi * w_hi : hi[i];
#else
        lo[i] += (inside ? Unpack(raw_lo, p.input_zp) : VEC4_T(0)) * w_lo;
        hi[i] += (inside ? Unpack(raw_hi, p.input_zp) : VEC4_T(0)) * w_hi;
#endif
      }
    }
  }
  const int c = v0 * 4;
  const bool one_bias = p.bias_count == 1;
  VEC4_T bias_lo, bias_hi;
  [[unroll]] for (int j = 0; j < 4; ++j) {
    bias_lo[j] = bias_data[one_bias ? 0 : c + j];
    bias_hi[j] = bias_data[one_bias || v0 + 1 >= vecs ? 0 : c + 4 + j];
  }
  const EpilogueChannels epilogue_lo = EpilogueChannelsOf(c);
  const EpilogueChannels epilogue_hi = EpilogueChannelsOf(c + 4);
  [[unroll]] for (int i = 0; i < PIXELS; ++i) {
    const int pixel = first + i * WORKGROUP_SIZE;
    if (pixel < p.pixels) {
      const int at = pixel * vecs;
      output_data[at + v0] = Epilogue(lo[i] + bias_lo, epilogue_lo);
      if (v0 + 1 < vecs) output_data[at + v1] = Epilogue(hi[i] + bias_hi, epilogue_hi);
    }
  }
}
