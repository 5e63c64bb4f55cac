// What the register-blocked convolutions (conv2d_blocked.comp, depthwise_blocked.comp,
// depthwise_rows.comp) do with 4 output channels' sums before they store them. Where the lowering
// fused the operators that read a convolution's output into its dispatch (epilogue_fusion.h), the
// sums never reach memory: one dispatch instead of three passes over a large tensor.
//   RESCALE_EPILOGUE: RESCALE INT32 -> INT8 with rescale_math.glsl's exact arithmetic (per channel
//     or per tensor; wide_int.glsl's 64-bit or 32-bit path), then CLAMP of the INT8 result as
//     clamp_packed.comp computes it; stored as 4 packed int8 in a uint. Bindings 4 and 5: the
//     multipliers and shifts as int32 (the lowering's derived buffers, as for rescale_packed.comp).
//     The lowering fuses only a RESCALE whose input zero point is 0 (as the specification requires
//     of INT32), and gives a channel whose parameters rescale_math.glsl would answer with 0 (a
//     negative multiplier, a shift outside [2, 62]) multiplier 0 and shift 2, which give 0 too: so
//     the epilogue leaves out those checks, takes each channel's rounding constants once for all
//     its pixels, and clips in 32 bits (on lavapipe the INT8 MobileNetV2-shaped graph's fused
//     dispatches took about 7% less time so).
//     IN_MASK must be defined (the RESCALE input is INT32).
//   CLAMP_EPILOGUE: FP32 CLAMP with the specification's NaN rules, as clamp.comp.
//   neither: the sums as they are (INT32 or FP32).
// Bytes equal running the operators' own shaders one after another.
//
// Included twice: before the shader's Params block, which ends with EPILOGUE_PARAMS, for the output
// binding and the parameters; after it for EpilogueChannelsOf(first channel), which an invocation
// calls once per block of 4 channels, and Epilogue(sums, what it returned), once per pixel.
#ifndef CONV_EPILOGUE_DECLARED
#define CONV_EPILOGUE_DECLARED

#if defined(RESCALE_EPILOGUE)
#include "wide_int.glsl"
#define EPILOGUE_OUT_T uint
layout(std430, set = 0, binding = 4) readonly buffer Multiplier { int multiplier_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer Shift { int shift_data[]; };
// rescale_math.glsl's parameters, then the CLAMP's bounds (sign extended; -128 and 127 without a
// CLAMP).
struct RescaleClampParams {
  int input_zp, output_zp, out_min, out_max, channels, flags;
  int clamp_min, clamp_max;
};
#define EPILOGUE_PARAMS RescaleClampParams epilogue;
#define RESCALE_PARAMS p.epilogue
#elif defined(CLAMP_EPILOGUE)
#define EPILOGUE_OUT_T VEC4_T
struct ClampParams {
  float clamp_min, clamp_max;
  int nan_mode;
};
#define EPILOGUE_PARAMS ClampParams epilogue;
#else
#define EPILOGUE_OUT_T VEC4_T
#define EPILOGUE_PARAMS
#endif

layout(std430, set = 0, binding = 3) writeonly buffer Output { EPILOGUE_OUT_T output_data[]; };

#else  // the second inclusion, after the Params block `p`

#if defined(RESCALE_EPILOGUE)
#include "rescale_math.glsl"

// The multipliers and shifts of 4 output channels from `channel`, read once per invocation for
// all its pixels (on lavapipe every load counts); a channel past the last, which a last block of 4
// never stores, reads the last one's.
struct EpilogueChannels {
  ivec4 multiplier, shift;
  // The rounding constant for a non-negative sum and for a negative one: 2^(shift - 1), with
  // DOUBLE_ROUND's +-2^30 where the shift exceeds 31.
  Wide round_up[4], round_down[4];
};

// Each channel's rounding constants, once per invocation.
void AddRounding(inout EpilogueChannels channels) {
  const bool double_round = (p.epilogue.flags & kDoubleRound) != 0;
  for (int j = 0; j < 4; ++j) {
    const Wide single = WidePowerOfTwo(channels.shift[j] - 1);
    const bool twice = double_round && channels.shift[j] > 31;
    channels.round_up[j] = twice ? WideAdd(single, WideFromInt(1 << 30)) : single;
    channels.round_down[j] = twice ? WideAdd(single, WideFromInt(-(1 << 30))) : single;
  }
}

EpilogueChannels EpilogueChannelsOf(int channel) {
  const bool per_channel = (p.epilogue.flags & kPerChannel) != 0;
  EpilogueChannels result;
  for (int j = 0; j < 4; ++j) {
    const uint at = per_channel ? uint(min(channel + j, p.epilogue.channels - 1)) : 0u;
    result.multiplier[j] = ChannelMultiplier(at);
    result.shift[j] = ChannelShift(at);
  }
  AddRounding(result);
  return result;
}

#ifdef SUBGROUP_SHARING  // the including shader enabled subgroup shuffles
// EpilogueChannelsOf(first) and EpilogueChannelsOf(first + 4) where every invocation of a
// subgroup of 8 or more asks for the same `first`: each of the first 8 loads one channel's
// parameters and hands them round (on lavapipe every load is a loop over the invocations).
void EpilogueChannelsShared(int first, out EpilogueChannels lo, out EpilogueChannels hi) {
  const bool per_channel = (p.epilogue.flags & kPerChannel) != 0;
  const int k = int(gl_SubgroupInvocationID & 7u);
  const uint at = per_channel ? uint(min(first + k, p.epilogue.channels - 1)) : 0u;
  const int multiplier = ChannelMultiplier(at);
  const int shift = ChannelShift(at);
  for (int j = 0; j < 4; ++j) {
    lo.multiplier[j] = subgroupShuffle(multiplier, uint(j));
    lo.shift[j] = subgroupShuffle(shift, uint(j));
    hi.multiplier[j] = subgroupShuffle(multiplier, uint(4 + j));
    hi.shift[j] = subgroupShuffle(shift, uint(4 + j));
  }
  AddRounding(lo);
  AddRounding(hi);
}
#endif

uint Epilogue(ivec4 sums, EpilogueChannels channels) {
  // RescaleOutput's clip of scaled + output_zp to the output range, as a clip of scaled (an int)
  // to the range less the zero point, both within a few hundred of 0.
  const int zero_point = p.epilogue.output_zp;
  const int low = p.epilogue.out_min - zero_point, high = p.epilogue.out_max - zero_point;
  uint packed = 0u;
  for (int j = 0; j < 4; ++j) {
    const int sum = sums[j];
    const Wide rounded = WideAdd(WideMul(sum, channels.multiplier[j]),
                                 sum >= 0 ? channels.round_up[j] : channels.round_down[j]);
    const int scaled =
        clamp(WideShiftRightLow(rounded, channels.shift[j]), low, high) + zero_point;
    // The INT8 RESCALE result as the CLAMP reads it back: its low byte, sign extended (also where
    // RESCALE's output is an unsigned view).
    const int value =
        clamp(bitfieldExtract(scaled, 0, 8), p.epilogue.clamp_min, p.epilogue.clamp_max);
    packed |= (uint(value) & 0xFFu) << (8 * j);
  }
  return packed;
}
#elif defined(CLAMP_EPILOGUE)
#include "float_minmax.glsl"

// Nothing per channel.
#define EpilogueChannels int
int EpilogueChannelsOf(int channel) { return 0; }
void EpilogueChannelsShared(int first, out EpilogueChannels lo, out EpilogueChannels hi) {
  lo = 0;
  hi = 0;
}

VEC4_T Epilogue(VEC4_T sums, EpilogueChannels channels) {
  VEC4_T result;
  for (int j = 0; j < 4; ++j) {
    result[j] = ApplyMin(ApplyMax(sums[j], p.epilogue.clamp_min, p.epilogue.nan_mode),
                         p.epilogue.clamp_max, p.epilogue.nan_mode);
  }
  return result;
}
#else
#define EpilogueChannels int
int EpilogueChannelsOf(int channel) { return 0; }
void EpilogueChannelsShared(int first, out EpilogueChannels lo, out EpilogueChannels hi) {
  lo = 0;
  hi = 0;
}
VEC4_T Epilogue(VEC4_T sums, EpilogueChannels channels) { return sums; }
#endif

// `value`, the packed INT8 word, computed for all invocations at once before the store. lavapipe
// stores in a loop over the invocations, and LLVM moved the packing into that loop, once per
// invocation on scalars taken out of the spilled vectors (a shift, a mask and an OR per byte). A
// shuffle from an index the compiler cannot know keeps the word a vector: the invocation's own,
// XOR `zero`, a value that is 0 at run time (on lavapipe the INT8 MobileNetV2-shaped graph took
// about 7% less time so; on a GPU it is one move). Float outputs have no packing to move: as
// they are.
#if defined(SUBGROUP_SHARING) && defined(RESCALE_EPILOGUE)
EPILOGUE_OUT_T ComputedWhole(EPILOGUE_OUT_T value, uint zero) {
  return subgroupShuffle(value, gl_SubgroupInvocationID ^ zero);
}
#else
EPILOGUE_OUT_T ComputedWhole(EPILOGUE_OUT_T value, uint zero) { return value; }
#endif

#endif
