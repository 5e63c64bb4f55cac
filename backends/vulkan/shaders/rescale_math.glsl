// RESCALE's arithmetic for one element, shared by rescale.comp (one element per invocation),
// rescale_packed.comp (four) and the convolutions' fused epilogue (conv_epilogue.glsl): value minus
// the input zero point (zero extended for unsigned views), times the multiplier plus the rounding
// constant in 64 bits, shifted right, plus the output zero point, clipped to the output range.
// Needs wide_int.glsl, the parameters input_zp, output_zp, out_min, out_max, channels and flags in
// RESCALE_PARAMS (the Params block `p` unless the shader says otherwise: conv_epilogue.glsl keeps
// them in a member of its own), and the Multiplier / Shift buffers (int32 each, or with
// DYNAMIC_PARAMS the graph's own tensors and the zero point buffers: rescale.comp).
#ifndef RESCALE_PARAMS
#define RESCALE_PARAMS p
#endif
const int kPerChannel = 1;
const int kDoubleRound = 2;
const int kInputUnsigned = 4;
const int kOutputUnsigned = 8;  // DYNAMIC_PARAMS: the output zero point read as unsigned
const int kMultiplier32 = 16;   // DYNAMIC_PARAMS: INT32 multipliers (scale32), else INT16

#ifdef DYNAMIC_PARAMS
// The multiplier tensor read as 16-bit words: INT16 one a channel, INT32 two (low word first).
int ChannelMultiplier(uint channel) {
  if ((RESCALE_PARAMS.flags & kMultiplier32) == 0) return int(int16_t(multiplier_data[channel]));
  return int(uint(multiplier_data[2u * channel]) | (uint(multiplier_data[2u * channel + 1u]) << 16));
}
int ChannelShift(uint channel) { return int(shift_data[channel]); }
// The zero points, zero extended where RESCALE views the type as unsigned.
int InputZeroPoint() {
#ifdef IN_WIDE
  return WideLow(input_zp_data[0]);  // 0 for INT48, as the specification requires
#else
  const int zp = int(input_zp_data[0]);
  return (RESCALE_PARAMS.flags & kInputUnsigned) != 0 ? zp & int(IN_MASK) : zp;
#endif
}
int OutputZeroPoint() {
  const int zp = int(output_zp_data[0]);
  return (RESCALE_PARAMS.flags & kOutputUnsigned) != 0 ? zp & int(OUT_MASK) : zp;
}
#else
// RESCALE_WITHOUT_CHANNEL_BUFFERS: the shader passes every multiplier and shift to RescaleWith
// itself (rescaled_add.comp, from push constants) and binds no Multiplier / Shift buffers.
#ifndef RESCALE_WITHOUT_CHANNEL_BUFFERS
int ChannelMultiplier(uint channel) { return multiplier_data[channel]; }
int ChannelShift(uint channel) { return shift_data[channel]; }
#endif
int InputZeroPoint() { return RESCALE_PARAMS.input_zp; }
int OutputZeroPoint() { return RESCALE_PARAMS.output_zp; }
#endif

// The scaled value plus the output zero point, clipped to the output range.
int RescaleOutput(int scaled) {
  const Wide result = WideAdd(WideFromInt(scaled), WideFromInt(OutputZeroPoint()));
  return WideClampToInt(result, RESCALE_PARAMS.out_min, RESCALE_PARAMS.out_max);
}

#ifdef IN_WIDE
// An INT48 input, held as a Wide: apply_scale_16, whose 16-bit multiplier keeps the product within
// 64 bits (the specification allows INT48 only with scale32 false, so without double rounding).
int RescaleWideElement(Wide stored, uint channel) {
  const Wide value = WideSub(stored, WideFromInt(InputZeroPoint()));
  const int multiplier = ChannelMultiplier(channel);
  const int shift = ChannelShift(channel);
  int scaled = 0;
  if (multiplier >= 0 && shift >= 2 && shift <= 62) {
    const Wide product = WideTimesInt(value, multiplier);
    scaled = WideShiftRightLow(WideAdd(product, WidePowerOfTwo(shift - 1)), shift);
  }
  return RescaleOutput(scaled);
}
#else
// With the channel's multiplier and shift already read (conv_epilogue.glsl reads them once for
// all the pixels an invocation computes).
int RescaleWith(int stored, int multiplier, int shift) {
  if ((RESCALE_PARAMS.flags & kInputUnsigned) != 0) stored &= int(IN_MASK);
  const int value = stored - InputZeroPoint();
  int scaled = 0;
  if (multiplier >= 0 && shift >= 2 && shift <= 62) {
    Wide round = WidePowerOfTwo(shift - 1);
    if ((RESCALE_PARAMS.flags & kDoubleRound) != 0 && shift > 31) {
      round = WideAdd(round, WideFromInt(value >= 0 ? (1 << 30) : -(1 << 30)));
    }
    scaled = WideShiftRightLow(WideAdd(WideMul(value, multiplier), round), shift);
  }
  return RescaleOutput(scaled);
}

#ifndef RESCALE_WITHOUT_CHANNEL_BUFFERS
int RescaleElement(int stored, uint channel) {
  return RescaleWith(stored, ChannelMultiplier(channel), ChannelShift(channel));
}
#endif
#endif
