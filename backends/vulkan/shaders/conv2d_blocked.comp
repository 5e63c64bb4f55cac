// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// CONV2D with register blocking. Each invocation computes PIXELS output pixels (spaced one team
// apart) for a block of 8 output channels that its team shares, so every weight serves PIXELS
// multiply-adds per invocation, and every input element an invocation loads serves 8. A team is
// p.team invocations of a workgroup (8, 16, 32 or 64, never fewer than a subgroup has, so that a
// subgroup works on one block): small teams let a layer with few pixels (a 7x7 one has 49) still
// give each invocation 4 of them. For LANES > 1 the 8 channels' weights of a step are loaded one
// per invocation and shared with subgroupShuffle (the device needs subgroup shuffle operations in
// compute shaders, as every Vulkan 1.3 desktop driver and lavapipe have); invocations stay active
// throughout, so subgroups are full. (On lavapipe, Mesa 22.3, the MobileNet graph's CONV2Ds took
// about 2.5 times as long with subgroupBroadcast from a constant lane as with subgroupShuffle.)
//
// Loads are wide because lavapipe (and any device without hardware gathers) turns a load whose
// address differs per invocation into one scalar load per invocation: a uvec4 of 16 packed int8
// costs about what one byte does. Input NHWC [N,IH,IW,IC] is read LANES elements at a time:
// 16 int8 in a uvec4 (IC % 16 == 0), 4 int8 in a uint or 4 floats in a vec4 (IC % 4 == 0), else
// one. Weights come from the lowering's derived buffer in the order this shader reads them:
//   LANES > 1: [OC/8][KH][KW][IC/LANES][8][LANES] (output channel j's LANES weights): floats (an
//              IN_T), or for INT8 the int16 w - weight_zp (two uvec4 for LANES 16, a uvec2 for 4);
//   LANES 1:   [OC/8][KH][KW][IC][8]: the 8 channels' weights, raw int8 (a uvec2) or floats
//              (two vec4);
// zeros past OC. Bias [OC] or [1] (INT8: the lowering's derived bias, [OC], see below); output
// [N,OH,OW,OC] written as 4-vectors (OC % 4 == 0).
//
// Integer results equal conv.comp's: the int32 sum of (x - input_zp) * (w - weight_zp), with
// wrapping, which is order-independent. The shader sums (x + 128) * (w - weight_zp) instead and the
// lowering takes (128 + input_zp) * sum(w - weight_zp) off each output channel's bias (its derived
// bias buffer, always per channel): x + 128 is a byte of the packed input with its top bit flipped,
// so an input element costs a shift and a mask instead of a sign extension (two shifts) and a
// zero-point subtraction, and the input's zero-point subtraction is gone (on lavapipe the INT8
// MobileNetV2-shaped graph took about 12% less time). Taps outside the input read x = input_zp,
// whose terms the correction cancels exactly (every invocation loads, then selects, so that no
// branch diverges); float taps outside are skipped.
// The INT8 weights as int16 pairs (LANES > 1): a word holds two weights, each multiplied by an input
// byte zero extended from the packed load. A compiler for a CPU with 16-bit multiply-adds can take
// such a product whole (x86: one vpdpwssd or vpmaddwd, the low half needing no extraction at all),
// where int8 weights cost two shifts and a zero-point subtraction each: on lavapipe the INT8
// MobileNetV2-shaped graph took about 6% less time so, although twice the words go round.
// Invocations past the last pixel compute a copy of it and skip the store. The sums pass through
// conv_epilogue.glsl on their way out (a fused RESCALE and CLAMP, or an FP32 CLAMP).
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#define SUBGROUP_SHARING 1
#include "conv_epilogue.glsl"

#ifdef TEXEL_INPUT
// The "_texel" variants read the input through a uniform texel buffer of 32-bit unsigned words,
// 4 or 1 per texel (the lowering's BufferRef::Texels): on lavapipe a texelFetch costs about a third
// of a storage-buffer load. Floats travel as their bits; INT8 with LANES 1 takes its byte out of
// the word holding it (the lowering makes sure the input is whole words).
layout(set = 0, binding = 0) uniform usamplerBuffer input_texels;
#if defined(FLOAT_MATH) && LANES == 1
#define LOAD_INPUT(at) uintBitsToFloat(texelFetch(input_texels, at).x)
#elif defined(FLOAT_MATH)
#define LOAD_INPUT(at) uintBitsToFloat(texelFetch(input_texels, at))
#elif LANES == 16
#define LOAD_INPUT(at) texelFetch(input_texels, at)
#elif LANES == 4
#define LOAD_INPUT(at) texelFetch(input_texels, at).x
#else
#define LOAD_INPUT(at) \
  int8_t(bitfieldExtract(int(texelFetch(input_texels, (at) >> 2).x), ((at) & 3) * 8, 8))
#endif
#else
layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
#define LOAD_INPUT(at) input_data[at]
#endif
#if !defined(FLOAT_MATH) && LANES > 1
#define PAIRED_WEIGHTS 1
#endif
// The weights as the lowering packed them: vec4 (FP32), a uvec2 of 8 int8 (LANES 1) or of 4
// int16 (LANES 4), or a uvec4 of 8 int16 (LANES 16). The "_texel" variants read them through a
// uniform texel buffer of uvec4 too, a uvec2 as half of one (on an AVX2 machine's lavapipe the
// MobileNetV2-shaped graphs took 12% (INT8) and 21% (FP32) less GPU time so, where a uvec4 load
// from a storage buffer is four loops over the invocations: benchmarks/vulkan/README.md).
#ifdef TEXEL_INPUT
layout(set = 0, binding = 1) uniform usamplerBuffer weight_texels;
#if defined(FLOAT_MATH)
#define LOAD_WEIGHT(at) uintBitsToFloat(texelFetch(weight_texels, at))
#elif LANES == 16
#define LOAD_WEIGHT(at) texelFetch(weight_texels, at)
#else
uvec2 LoadWeightPair(int at) {
  const uvec4 texel = texelFetch(weight_texels, at >> 1);
  return (at & 1) != 0 ? texel.zw : texel.xy;
}
#define LOAD_WEIGHT(at) LoadWeightPair(at)
#endif
#define LOAD_WEIGHT_COMPONENT(at, c) LOAD_WEIGHT(at)[c]
#else
#if LANES == 1 && defined(FLOAT_MATH)
layout(std430, set = 0, binding = 1) readonly buffer Weight { VEC4_T weight_data[]; };
#elif LANES == 1 || LANES == 4 && defined(PAIRED_WEIGHTS)
layout(std430, set = 0, binding = 1) readonly buffer Weight { uvec2 weight_data[]; };
#else
layout(std430, set = 0, binding = 1) readonly buffer Weight { IN_T weight_data[]; };
#endif
#define LOAD_WEIGHT(at) weight_data[at]
#define LOAD_WEIGHT_COMPONENT(at, c) weight_data[at][c]  // one component's load
#endif
layout(std430, set = 0, binding = 2) readonly buffer Bias { ACC_T bias_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, in_c, out_h, out_w, out_c;
  int kernel_h, kernel_w, stride_y, stride_x, pad_top, pad_left, dilation_y, dilation_x;
  int input_zp, weight_zp, bias_count, pixels;
  uint pixel_groups;  // teams per block of 8 output channels
  uint groups;        // the dispatch's teams that have work; a 2-D dispatch may add some
  uint team;          // invocations per team: WORKGROUP_SIZE or a power-of-two part of it
  EPILOGUE_PARAMS
} p;

#include "conv_epilogue.glsl"

// A LANES-element load is PARTS parts of 4 elements (or one element for LANES 1).
#if LANES == 16
#define PARTS 4
#define PART(v, s) v[s]
#else
#define PARTS 1
#define PART(v, s) v
#endif

#ifdef FLOAT_MATH
#define PART_T VEC4_T
PART_T Unpack(vec4 v, int zero_point) { return v; }
PART_T UnpackInput(vec4 v) { return v; }
#else
#define PART_T ivec4
// Four packed int8 weights minus the zero point (an int8 value: sign extending it from 8 bits
// changes nothing and lets a compiler know the difference fits 9 bits).
PART_T Unpack(uint v, int zero_point) {
  const int i = int(v);
  return ivec4(bitfieldExtract(i, 0, 8), bitfieldExtract(i, 8, 8), bitfieldExtract(i, 16, 8),
               bitfieldExtract(i, 24, 8)) - bitfieldExtract(zero_point, 0, 8);
}
// Four packed int8 inputs as x + 128, zero extended (see the top).
PART_T UnpackInput(uint v) {
  const uint u = v ^ 0x80808080u;
  return ivec4(u & 0xFFu, (u >> 8) & 0xFFu, (u >> 16) & 0xFFu, u >> 24);
}
#endif

ACC_T Dot(PART_T a, PART_T b) { return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w; }

#ifdef PAIRED_WEIGHTS
// Four inputs (x + 128, zero extended) times four int16 weights, two to a word, low half first.
int DotPaired(ivec4 x, uvec2 words) {
  const ivec2 w = ivec2(words);
  return x.x * bitfieldExtract(w.x, 0, 16) + x.y * (w.x >> 16) + x.z * bitfieldExtract(w.y, 0, 16) +
         x.w * (w.y >> 16);
}
#endif

// acc += term for a tap inside the input. Integer inputs outside were zeroed already (exact); a
// float tap outside is skipped, as the CPU does, so that 0 times an infinite weight adds no NaN.
// POINTWISE (the "_k1" variants): a 1x1 kernel without padding, whose one tap is always inside, so
// there is no select to make (on lavapipe a blend per 4 multiply-adds).
#if defined(FLOAT_MATH) && !defined(POINTWISE)
#define ACCUMULATE(acc, term, in) acc = (in) ? acc + (term) : acc
#else
#define ACCUMULATE(acc, term, in) acc += (term)
#endif

void main() {
  // A whole team returns here or none of it, so shuffles below stay within one team's block.
  // p.team is a power of two.
  const uint team_shift = uint(findLSB(p.team));
  const uint group = (gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x) *
                         (WORKGROUP_SIZE >> team_shift) + (gl_LocalInvocationID.x >> team_shift);
  if (group >= p.groups) return;
  const int team = int(p.team);
  const int member = int(gl_LocalInvocationID.x & (p.team - 1u));
  // Indices divided without integer divisions (common.glsl's DivideIndex).
  const int block = DivideIndex(int(group), int(p.pixel_groups));
  const int first = (int(group) - block * int(p.pixel_groups)) * (PIXELS * team) + member;
  int n[PIXELS], oy[PIXELS], ox[PIXELS];
  [[unroll]] for (int i = 0; i < PIXELS; ++i) {
    const int q = min(first + i * team, p.pixels - 1);
    const int row = DivideIndex(q, p.out_w);  // n * OH + oy
    ox[i] = q - row * p.out_w;
    n[i] = DivideIndex(row, p.out_h);
    oy[i] = row - n[i] * p.out_h;
  }
  const int steps = p.in_c / LANES;
  const bool share = kSubgroupsOfEight;
  const int lane = int(gl_SubgroupInvocationID & 7u);
#ifndef FLOAT_MATH
  // What a tap outside the input reads: input_zp, in every byte of a packed load.
  const IN_T pad = IN_T((uint(p.input_zp) & 0xFFu) * 0x01010101u);
#endif
  VEC4_T lo[PIXELS], hi[PIXELS];  // output channels 0-3 and 4-7 of the block
  [[unroll]] for (int i = 0; i < PIXELS; ++i) {
    lo[i] = VEC4_T(0);
    hi[i] = VEC4_T(0);
  }
#if LANES == 1 && defined(FLOAT_MATH)
  int w = block * p.kernel_h * p.kernel_w * steps * 2;
#elif LANES == 1
  int w = block * p.kernel_h * p.kernel_w * steps;
#else
  int w = block * p.kernel_h * p.kernel_w * steps * 8;
#endif
#ifdef POINTWISE
  // No loops over the kernel: lavapipe runs a loop's iterations under an execution mask, every
  // iteration ending by blending and storing each of the 8 * PIXELS sums it carries, once per
  // level of loops (on lavapipe the INT8 MobileNetV2-shaped graph's 1x1 CONV2Ds took 10-20% less
  // time so, the one with a single step of 16 channels a fifth).
  {
    {
      const int ky = 0, kx = 0;
#else
  for (int ky = 0; ky < p.kernel_h; ++ky) {
    for (int kx = 0; kx < p.kernel_w; ++kx) {
#endif
      int base[PIXELS];
      bool inside[PIXELS];
      [[unroll]] for (int i = 0; i < PIXELS; ++i) {
        const int iy = oy[i] * p.stride_y - p.pad_top + ky * p.dilation_y;
        const int ix = ox[i] * p.stride_x - p.pad_left + kx * p.dilation_x;
#ifdef POINTWISE
        inside[i] = true;
#else
        inside[i] = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
#endif
        base[i] = ((n[i] * p.in_h + clamp(iy, 0, p.in_h - 1)) * p.in_w +
                   clamp(ix, 0, p.in_w - 1)) * steps;
      }
      for (int v = 0; v < steps; ++v) {
#if LANES == 1
        // The 8 channels' weights of the step: each of the first 8 invocations of a subgroup
        // loads channel `lane`'s (INT8: the word holding it), one component, and hands it round,
        // or every invocation loads all 8 (two vec4, INT8 a uvec2) where subgroups are narrower
        // than 8. On lavapipe the FP32 MobileNetV2 stem (3 input channels) took less than half
        // the time so (18.4 -> 8.7 ms); the INT8 one, whose input bytes cost more, no change.
#ifdef FLOAT_MATH
        VEC4_T w_lo, w_hi;
        if (share) {
          const ACC_T mine = LOAD_WEIGHT_COMPONENT(w + (lane >> 2), lane & 3);
          [[unroll]] for (int j = 0; j < 4; ++j) {
            w_lo[j] = subgroupShuffle(mine, uint(j));
            w_hi[j] = subgroupShuffle(mine, uint(4 + j));
          }
        } else {
          w_lo = LOAD_WEIGHT(w);
          w_hi = LOAD_WEIGHT(w + 1);
        }
        w += 2;
#else
        uvec2 packed;
        if (share) {
          const uint mine = LOAD_WEIGHT_COMPONENT(w, lane >> 2);
          packed = uvec2(subgroupShuffle(mine, 0u), subgroupShuffle(mine, 4u));
        } else {
          packed = LOAD_WEIGHT(w);
        }
        const ivec4 w_lo = Unpack(packed.x, p.weight_zp);
        const ivec4 w_hi = Unpack(packed.y, p.weight_zp);
        w += 1;
#endif
        [[unroll]] for (int i = 0; i < PIXELS; ++i) {
          const IN_T raw = LOAD_INPUT(base[i] + v);
#ifdef FLOAT_MATH
          const ACC_T x = raw;
#else
          const ACC_T x = int((uint(int(inside[i] ? raw : pad)) ^ 0x80u) & 0xFFu);
#endif
          ACCUMULATE(lo[i], x * w_lo, inside[i]);
          ACCUMULATE(hi[i], x * w_hi, inside[i]);
        }
#else
        IN_T raw[PIXELS];
        [[unroll]] for (int i = 0; i < PIXELS; ++i) {
#ifdef FLOAT_MATH
          raw[i] = LOAD_INPUT(base[i] + v);
#else
          raw[i] = inside[i] ? LOAD_INPUT(base[i] + v) : pad;
#endif
        }
        // The step's weights for the block's 8 output channels: one load per invocation, handed
        // round the subgroup (on lavapipe a shuffle is cheaper than a load, since every load is
        // one scalar load per invocation), or 8 loads where subgroups are narrower than 8.
#ifdef PAIRED_WEIGHTS
#if LANES == 16
        uvec4 ws[8], ws_high[8];  // channel j's weights for inputs 0-7 and 8-15 of the step
        if (share) {
          const uvec4 mine = LOAD_WEIGHT(2 * (w + lane));
          const uvec4 mine_high = LOAD_WEIGHT(2 * (w + lane) + 1);
          [[unroll]] for (int j = 0; j < 8; ++j) {
            ws[j] = subgroupShuffle(mine, uint(j));
            ws_high[j] = subgroupShuffle(mine_high, uint(j));
          }
        } else {
          [[unroll]] for (int j = 0; j < 8; ++j) {
            ws[j] = LOAD_WEIGHT(2 * (w + j));
            ws_high[j] = LOAD_WEIGHT(2 * (w + j) + 1);
          }
        }
#define WEIGHT_WORDS(j, s) \
  ((s) < 2 ? uvec2(ws[j][2 * (s)], ws[j][2 * (s) + 1]) \
           : uvec2(ws_high[j][2 * (s) - 4], ws_high[j][2 * (s) - 3]))
#else
        uvec2 ws[8];
        if (share) {
          const uvec2 mine = LOAD_WEIGHT(w + lane);
          [[unroll]] for (int j = 0; j < 8; ++j) ws[j] = subgroupShuffle(mine, uint(j));
        } else {
          [[unroll]] for (int j = 0; j < 8; ++j) ws[j] = LOAD_WEIGHT(w + j);
        }
#define WEIGHT_WORDS(j, s) ws[j]
#endif
        [[unroll]] for (int s = 0; s < PARTS; ++s) {
          ivec4 x[PIXELS];
          [[unroll]] for (int i = 0; i < PIXELS; ++i) {
            x[i] = UnpackInput(PART(raw[i], s));
          }
          [[unroll]] for (int j = 0; j < 4; ++j) {
            const uvec2 a = WEIGHT_WORDS(j, s);
            const uvec2 b = WEIGHT_WORDS(4 + j, s);
            [[unroll]] for (int i = 0; i < PIXELS; ++i) {
              lo[i][j] += DotPaired(x[i], a);
              hi[i][j] += DotPaired(x[i], b);
            }
          }
        }
#else
        IN_T ws[8];
        if (share) {
          const IN_T mine = LOAD_WEIGHT(w + lane);
          [[unroll]] for (int j = 0; j < 8; ++j) ws[j] = subgroupShuffle(mine, uint(j));
        } else {
          [[unroll]] for (int j = 0; j < 8; ++j) ws[j] = LOAD_WEIGHT(w + j);
        }
        [[unroll]] for (int s = 0; s < PARTS; ++s) {
          PART_T x[PIXELS];
          [[unroll]] for (int i = 0; i < PIXELS; ++i) {
            x[i] = UnpackInput(PART(raw[i], s));
          }
          [[unroll]] for (int j = 0; j < 4; ++j) {
            const PART_T a = Unpack(PART(ws[j], s), p.weight_zp);
            const PART_T b = Unpack(PART(ws[4 + j], s), p.weight_zp);
            [[unroll]] for (int i = 0; i < PIXELS; ++i) {
              ACCUMULATE(lo[i][j], Dot(x[i], a), inside[i]);
              ACCUMULATE(hi[i][j], Dot(x[i], b), inside[i]);
            }
          }
        }
#endif
        w += 8;
#endif
      }
    }
  }
  const int oc = block * 8;
  const bool one_bias = p.bias_count == 1;
  VEC4_T bias_lo, bias_hi;
  EpilogueChannels epilogue_lo, epilogue_hi;
  // Channels past OC (a last block of 4) take bias 0's: their sums are never stored. The block's
  // 8 biases and epilogue parameters are loaded once per 8 invocations and handed round, as the
  // weights are.
  if (share) {
    const ACC_T mine = bias_data[one_bias || oc + lane >= p.out_c ? 0 : oc + lane];
    [[unroll]] for (int j = 0; j < 4; ++j) {
      bias_lo[j] = subgroupShuffle(mine, uint(j));
      bias_hi[j] = subgroupShuffle(mine, uint(4 + j));
    }
    EpilogueChannelsShared(oc, epilogue_lo, epilogue_hi);
  } else {
    [[unroll]] for (int j = 0; j < 4; ++j) {
      bias_lo[j] = bias_data[one_bias ? 0 : oc + j];
      bias_hi[j] = bias_data[one_bias || oc + 4 + j >= p.out_c ? 0 : oc + 4 + j];
    }
    epilogue_lo = EpilogueChannelsOf(oc);
    epilogue_hi = EpilogueChannelsOf(oc + 4);
  }
  // p.groups < 2^30 (the lowering's index bound), so `zero` is 0.
  const uint zero = p.groups >> 30;
  [[unroll]] for (int i = 0; i < PIXELS; ++i) {
    const int pixel = first + i * team;
    const EPILOGUE_OUT_T out_lo = ComputedWhole(Epilogue(lo[i] + bias_lo, epilogue_lo), zero);
    const EPILOGUE_OUT_T out_hi = ComputedWhole(Epilogue(hi[i] + bias_hi, epilogue_hi), zero);
    if (pixel < p.pixels) {
      const int at = (pixel * p.out_c + oc) / 4;
      output_data[at] = out_lo;
      if (oc + 4 < p.out_c) output_data[at + 1] = out_hi;
    }
  }
}
