// RESCALE's arithmetic for one element, shared by rescale.comp (one element per invocation) and
// rescale_packed.comp (four): value minus the input zero point (zero extended for unsigned views),
// times the multiplier plus the rounding constant in 64 bits, shifted right, plus the output zero
// point, clipped to the output range. Needs wide_int.glsl, the Params block `p` with input_zp,
// output_zp, out_min, out_max, channels and flags, and the Multiplier / Shift buffers.
const int kPerChannel = 1;
const int kDoubleRound = 2;
const int kInputUnsigned = 4;

// The scaled value plus the output zero point, clipped to the output range.
int RescaleOutput(int scaled) {
  const Wide result = WideAdd(WideFromInt(scaled), WideFromInt(p.output_zp));
  return WideClampToInt(result, p.out_min, p.out_max);
}

#ifdef IN_WIDE
// An INT48 input, held as a Wide: apply_scale_16, whose 16-bit multiplier keeps the product within
// 64 bits (the specification allows INT48 only with scale32 false, so without double rounding).
int RescaleWideElement(Wide stored, uint channel) {
  const Wide value = WideSub(stored, WideFromInt(p.input_zp));
  const int multiplier = multiplier_data[channel];
  const int shift = shift_data[channel];
  int scaled = 0;
  if (multiplier >= 0 && shift >= 2 && shift <= 62) {
    const Wide product = WideTimesInt(value, multiplier);
    scaled = WideShiftRightLow(WideAdd(product, WidePowerOfTwo(shift - 1)), shift);
  }
  return RescaleOutput(scaled);
}
#else
int RescaleElement(int stored, uint channel) {
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
  return RescaleOutput(scaled);
}
#endif
