// apply_max_s / apply_min_s for floats with the specification's NaN rules: nan_mode 1 (PROPAGATE)
// gives NaN when either operand is NaN, 2 (IGNORE) the other operand; otherwise the first operand
// wins ties, so max(-0, +0) is -0 as in the CPU kernels.
float ApplyMax(float a, float b, int nan_mode) {
  if (isnan(a) || isnan(b)) {
    if (nan_mode == 1) return uintBitsToFloat(0x7FC00000u);
    return isnan(a) ? b : a;
  }
  return a >= b ? a : b;
}

float ApplyMin(float a, float b, int nan_mode) {
  if (isnan(a) || isnan(b)) {
    if (nan_mode == 1) return uintBitsToFloat(0x7FC00000u);
    return isnan(a) ? b : a;
  }
  return a <= b ? a : b;
}
