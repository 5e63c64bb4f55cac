#version 450
// RESCALE with the specification's exact arithmetic: value minus the input zero point (zero
// extended for unsigned views), times the multiplier plus the rounding constant in 64 bits,
// shifted right, plus the output zero point, clipped to the output range. Multipliers and shifts
// arrive as int32 whatever their stored width; one per channel (the last dimension) or one for all.
// Where the specification's REQUIREs fail the result matches the CPU kernel's arithmetic, but the
// CPU backend reports the failure and this shader cannot.
#include "common.glsl"
#include "wide_int.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Multiplier { int multiplier_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Shift { int shift_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { OUT_T output_data[]; };

const int kPerChannel = 1;
const int kDoubleRound = 2;
const int kInputUnsigned = 4;

layout(push_constant) uniform Params {
  int input_zp, output_zp, out_min, out_max, channels, flags;
  uint total;
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const uint channel = (p.flags & kPerChannel) != 0 ? index % uint(p.channels) : 0u;
  int stored = int(input_data[index]);
  if ((p.flags & kInputUnsigned) != 0) stored &= int(IN_MASK);
  const int value = stored - p.input_zp;
  const int multiplier = multiplier_data[channel];
  const int shift = shift_data[channel];
  int scaled = 0;
  if (multiplier >= 0 && shift >= 2 && shift <= 62) {
    Wide round = WidePowerOfTwo(shift - 1);
    if ((p.flags & kDoubleRound) != 0 && shift > 31) {
      round = WideAdd(round, WideFromInt(value >= 0 ? (1 << 30) : -(1 << 30)));
    }
    scaled = WideShiftRightLow(WideAdd(WideMul(value, multiplier), round), shift);
  }
  const Wide result = WideAdd(WideFromInt(scaled), WideFromInt(p.output_zp));
  output_data[index] = OUT_T(WideClampToInt(result, p.out_min, p.out_max));
}
