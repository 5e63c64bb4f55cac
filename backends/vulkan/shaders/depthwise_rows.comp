// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// DEPTHWISE_CONV2D with channel multiplier 1, C % 4 == 0, a kernel 3 wide, dilation 1 across and
// stride STRIDE_X (1 or 2) across: each invocation walks RUN adjacent output pixels of one row for
// a block of 8 channels that its whole workgroup shares. Along a kernel row the RUN pixels' taps
// overlap, so the invocation loads each input column once ((RUN - 1) * STRIDE_X + 3 columns
// instead of 3 * RUN) and each tap's weights once for RUN pixels; inputs and weights are read 4
// channels at a time (4 packed int8 in a uint, or a vec4). Input [N,IH,IW,C]; weight [KH,3,C,1] as
// stored (the zero point is subtracted here); bias [C] or [1]; output [N,OH,OW,C] as 4-vectors.
// Integer results equal depthwise_conv2d.comp's (wrapping int32 sums). As conv2d_blocked.comp does,
// the shader sums (x + 128) * (w - weight_zp), the lowering takes (128 + input_zp) * sum(w -
// weight_zp) off each channel's bias (a derived buffer, one per channel), and integer taps outside
// the input read x = input_zp; float taps outside are skipped. Invocations past the last run
// compute a copy of it and
// skip the store, as do a run's pixels past the row's end. The sums pass through
// conv_epilogue.glsl on their way out.
//
// SHARED_WEIGHTS (the "_shared" variants, for devices with subgroup shuffle): a kernel row's 6
// weight loads (3 taps, 2 blocks of 4 channels), the same for every invocation of the workgroup,
// become one per invocation of each 8 and 6 shuffles; on lavapipe every load is a loop over the
// invocations, a shuffle a vector permute. So do the block's 8 biases and epilogue parameters (the
// INT8 depthwise dispatches of the MobileNetV2-shaped graph took about a sixth less time).
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require
#ifdef SHARED_WEIGHTS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#define SUBGROUP_SHARING 1
#endif
#include "conv_epilogue.glsl"

#define RUN 4
#define COLUMNS ((RUN - 1) * STRIDE_X + 3)

#ifdef TEXEL_INPUT
// The "_texel" variants read the input through a uniform texel buffer of 32-bit unsigned words
// (1 per texel for INT8, 4 for FP32, whose floats travel as their bits), as conv2d_blocked.comp's
// do, and FP32 the weights too (on lavapipe the FP32 MobileNetV2-shaped graph's depthwise layers
// took about 13% less time so; INT8's, one word a load, took no less).
layout(set = 0, binding = 0) uniform usamplerBuffer input_texels;
#ifdef FLOAT_MATH
layout(set = 0, binding = 1) uniform usamplerBuffer weight_texels;
#define LOAD_INPUT(at) uintBitsToFloat(texelFetch(input_texels, at))
#define LOAD_WEIGHT(at) uintBitsToFloat(texelFetch(weight_texels, at))
#else
#define LOAD_INPUT(at) texelFetch(input_texels, at).x
#endif
#else
layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
#define LOAD_INPUT(at) input_data[at]
#endif
#ifndef LOAD_WEIGHT
layout(std430, set = 0, binding = 1) readonly buffer Weight { IN_T weight_data[]; };
#define LOAD_WEIGHT(at) weight_data[at]
#endif
layout(std430, set = 0, binding = 2) readonly buffer Bias { ACC_T bias_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, channels, out_h, out_w, kernel_h, stride_y, pad_top, pad_left, dilation_y;
  int input_zp, weight_zp, bias_count;
  int runs;           // N * OH * ceil(OW / RUN)
  int runs_per_row;   // ceil(OW / RUN)
  uint run_groups;    // workgroups per block of 8 channels
  uint groups;        // the dispatch's workgroups that have work; a 2-D dispatch may add some
  EPILOGUE_PARAMS
} p;

#include "conv_epilogue.glsl"

// Four weights minus the zero point (sign extended from 8 bits, which it fits, so that a compiler
// may know the differences fit 9 bits).
VEC4_T Unpack(IN_T v, int zero_point) {
#ifdef FLOAT_MATH
  return v;
#else
  const int i = int(v);
  return ivec4(bitfieldExtract(i, 0, 8), bitfieldExtract(i, 8, 8), bitfieldExtract(i, 16, 8),
               bitfieldExtract(i, 24, 8)) - bitfieldExtract(zero_point, 0, 8);
#endif
}

#ifndef FLOAT_MATH
// Four packed int8 inputs as x + 128, zero extended.
ivec4 UnpackInput(uint v) {
  const uint u = v ^ 0x80808080u;
  return ivec4(u & 0xFFu, (u >> 8) & 0xFFu, (u >> 16) & 0xFFu, u >> 24);
}
#endif

void main() {
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (group >= p.groups) return;
  // Indices divided without integer divisions (common.glsl's DivideIndex).
  const int block = DivideIndex(int(group), int(p.run_groups));
  const int item = (int(group) - block * int(p.run_groups)) * WORKGROUP_SIZE +
                   int(gl_LocalInvocationID.x);
  const int run = min(item, p.runs - 1);
  const int row = DivideIndex(run, p.runs_per_row);  // n * OH + oy
  const int n = DivideIndex(row, p.out_h);
  const int oy = row - n * p.out_h;
  const int ox0 = (run - row * p.runs_per_row) * RUN;
  const int vecs = p.channels / 4;
  const int v0 = block * 2;
  // A last block of 4 channels (C % 8 == 4) reads its first half again as the second.
  const int v1 = min(v0 + 1, vecs - 1);
#ifndef FLOAT_MATH
  // What a tap outside the input reads: input_zp in every byte.
  const uint pad = (uint(p.input_zp) & 0xFFu) * 0x01010101u;
#endif
#ifdef SHARED_WEIGHTS
  const bool share = kSubgroupsOfEight;
  const int lane = int(gl_SubgroupInvocationID & 7u);
#endif
  VEC4_T lo[RUN], hi[RUN];
  [[unroll]] for (int i = 0; i < RUN; ++i) {
    lo[i] = VEC4_T(0);
    hi[i] = VEC4_T(0);
  }
  // KERNEL_H (the "_k3" variants, for kernels 3 high): the rows unrolled. lavapipe runs a loop's
  // iterations under an execution mask, every iteration ending by blending and storing each of
  // the 8 * RUN sums it carries, which costs about what a row's multiply-adds do; without the
  // loop, the INT8 MobileNetV2-shaped graph's depthwise layers took about a tenth less time.
#ifdef KERNEL_H
  [[unroll]] for (int ky = 0; ky < KERNEL_H; ++ky) {
#else
  for (int ky = 0; ky < p.kernel_h; ++ky) {
#endif
    const int iy = oy * p.stride_y - p.pad_top + ky * p.dilation_y;
    const bool row_inside = iy >= 0 && iy < p.in_h;
    const int row_base = (n * p.in_h + clamp(iy, 0, p.in_h - 1)) * p.in_w;
    VEC4_T x_lo[COLUMNS], x_hi[COLUMNS];
    bool inside[COLUMNS];
    [[unroll]] for (int c = 0; c < COLUMNS; ++c) {
      const int ix = ox0 * STRIDE_X - p.pad_left + c;
      inside[c] = row_inside && ix >= 0 && ix < p.in_w;
      const int base = (row_base + clamp(ix, 0, p.in_w - 1)) * vecs;
      const IN_T raw_lo = LOAD_INPUT(base + v0);
      const IN_T raw_hi = LOAD_INPUT(base + v1);
#ifdef FLOAT_MATH
      x_lo[c] = raw_lo;
      x_hi[c] = raw_hi;
#else
      x_lo[c] = UnpackInput(inside[c] ? raw_lo : pad);
      x_hi[c] = UnpackInput(inside[c] ? raw_hi : pad);
#endif
    }
#ifdef SHARED_WEIGHTS
    // Invocation j (of each 8) loads tap j / 2's block j % 2; where subgroups are narrower than
    // 8, every invocation loads all six.
    IN_T row_weights = IN_T(0);
    if (share) {
      const int j = min(lane, 5);
      row_weights = LOAD_WEIGHT((ky * 3 + j / 2) * vecs + ((j & 1) == 0 ? v0 : v1));
    }
#endif
    [[unroll]] for (int kx = 0; kx < 3; ++kx) {
      const int w = (ky * 3 + kx) * vecs;
#ifdef SHARED_WEIGHTS
      const IN_T raw_lo = share ? subgroupShuffle(row_weights, uint(2 * kx)) : LOAD_WEIGHT(w + v0);
      const IN_T raw_hi =
          share ? subgroupShuffle(row_weights, uint(2 * kx + 1)) : LOAD_WEIGHT(w + v1);
#else
      const IN_T raw_lo = LOAD_WEIGHT(w + v0);
      const IN_T raw_hi = LOAD_WEIGHT(w + v1);
#endif
      const VEC4_T w_lo = Unpack(raw_lo, p.weight_zp);
      const VEC4_T w_hi = Unpack(raw_hi, p.weight_zp);
      [[unroll]] for (int i = 0; i < RUN; ++i) {
        const int c = i * STRIDE_X + kx;
#ifdef FLOAT_MATH
        // A float tap outside is skipped, as the CPU does (0 times an infinite weight is NaN).
        lo[i] = inside[c] ? lo[i] + x_lo[c] * w_lo : lo[i];
        hi[i] = inside[c] ? hi[i] + x_hi[c] * w_hi : hi[i];
#else
        lo[i] += x_lo[c] * w_lo;
        hi[i] += x_hi[c] * w_hi;
#endif
      }
    }
  }
  const int c0 = v0 * 4;
  const bool one_bias = p.bias_count == 1;
  VEC4_T bias_lo, bias_hi;
  EpilogueChannels epilogue_lo, epilogue_hi;
#ifdef SHARED_WEIGHTS
  // The block's 8 biases and epilogue parameters, loaded once per 8 invocations and handed round
  // as the weights are (before any invocation leaves).
  if (share) {
    const ACC_T mine = bias_data[one_bias || (lane >= 4 && v0 + 1 >= vecs) ? 0 : c0 + lane];
    [[unroll]] for (int j = 0; j < 4; ++j) {
      bias_lo[j] = subgroupShuffle(mine, uint(j));
      bias_hi[j] = subgroupShuffle(mine, uint(4 + j));
    }
    EpilogueChannelsShared(c0, epilogue_lo, epilogue_hi);
  } else
#endif
  {
    [[unroll]] for (int j = 0; j < 4; ++j) {
      bias_lo[j] = bias_data[one_bias ? 0 : c0 + j];
      bias_hi[j] = bias_data[one_bias || v0 + 1 >= vecs ? 0 : c0 + 4 + j];
    }
    epilogue_lo = EpilogueChannelsOf(c0);
    epilogue_hi = EpilogueChannelsOf(c0 + 4);
  }
  if (item >= p.runs) return;
  // p.groups < 2^30 (the lowering's index bound), so `zero` is 0.
  const uint zero = p.groups >> 30;
  [[unroll]] for (int i = 0; i < RUN; ++i) {
    const int ox = ox0 + i;
    const EPILOGUE_OUT_T out_lo = ComputedWhole(Epilogue(lo[i] + bias_lo, epilogue_lo), zero);
    const EPILOGUE_OUT_T out_hi = ComputedWhole(Epilogue(hi[i] + bias_hi, epilogue_hi), zero);
    if (ox < p.out_w) {
      const int at = (row * p.out_w + ox) * vecs;
      output_data[at + v0] = out_lo;
      if (v0 + 1 < vecs) output_data[at + v1] = out_hi;
    }
  }
}
