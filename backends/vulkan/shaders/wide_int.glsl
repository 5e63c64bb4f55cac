// 64-bit integer arithmetic for the shaders whose exact TOSA results need it (RESCALE, MUL with a
// shift, NEGATE, AVG_POOL2D's scaling, and the INT48 results and inputs, held as int64): int64_t where the device has shaderInt64, else an exact
// emulation on pairs of 32-bit words built on imulExtended / umulExtended / uaddCarry, selected by
// compiling the shader with NO_INT64 (the "_noi64" variants in CMakeLists.txt). Both produce the
// same bits; the tests run both on lavapipe.
//
// Wide holds a signed 64-bit value; the helpers take shift amounts in [0, 63].
#ifndef NO_INT64

#define Wide int64_t
Wide WideFromInt(int v) { return int64_t(v); }
Wide WideAdd(Wide a, Wide b) { return a + b; }
Wide WideSub(Wide a, Wide b) { return a - b; }
Wide WideMul(int a, int b) { return int64_t(a) * int64_t(b); }
// The low 64 bits of a wide value times a 32-bit one.
Wide WideTimesInt(Wide a, int b) { return a * int64_t(b); }
// A signed times an unsigned 32-bit value.
Wide WideMulSignedUnsigned(int a, uint b) { return int64_t(a) * int64_t(uint64_t(b)); }
Wide WidePowerOfTwo(int s) { return int64_t(1) << s; }
// The low 32 bits of a >> s (arithmetic): what int(a >> s) keeps.
int WideShiftRightLow(Wide a, int s) { return int(a >> s); }
Wide WideShiftRight(Wide a, int s) { return a >> s; }
bool WideLess(Wide a, Wide b) { return a < b; }
int WideLow(Wide a) { return int(a); }
// floor(((1 << 30) + 1) << k) / count) for count in [1, 2^31], 2^k >= count: it fits 32 bits.
uint ReciprocalScaleMultiplier(int k, uint count) {
  return uint((((int64_t(1) << 30) + 1) << k) / int64_t(count));
}

#else

#define Wide ivec2  // x: the low 32 bits, y: the high 32 bits (two's complement)
Wide WideFromInt(int v) { return ivec2(v, v < 0 ? -1 : 0); }
Wide WideAdd(Wide a, Wide b) {
  uint carry;
  const uint low = uaddCarry(uint(a.x), uint(b.x), carry);
  return ivec2(int(low), a.y + b.y + int(carry));
}
Wide WideNegate(Wide a) { return WideAdd(ivec2(~a.x, ~a.y), ivec2(1, 0)); }
Wide WideSub(Wide a, Wide b) { return WideAdd(a, WideNegate(b)); }
Wide WideMul(int a, int b) {
  int high, low;
  imulExtended(a, b, high, low);
  return ivec2(low, high);
}
Wide WideTimesInt(Wide a, int b) {
  // a = a.y * 2^32 + uint(a.x): uint(a.x) * uint(b) in full, a.y * b and the sign of b folded into
  // the high word, all modulo 2^64.
  uint high, low;
  umulExtended(uint(a.x), uint(b), high, low);
  int high_word = a.y * b + int(high);
  if (b < 0) high_word -= a.x;  // uint(b) = b + 2^32: take uint(a.x) * 2^32 back out
  return ivec2(int(low), high_word);
}
Wide WideMulSignedUnsigned(int a, uint b) {
  uint high, low;
  umulExtended(uint(a < 0 ? -a : a), b, high, low);  // |INT_MIN| wraps to 2^31, as a uint
  const Wide magnitude = ivec2(int(low), int(high));
  return a < 0 ? WideNegate(magnitude) : magnitude;
}
Wide WidePowerOfTwo(int s) { return s < 32 ? ivec2(int(1u << s), 0) : ivec2(0, 1 << (s - 32)); }
int WideShiftRightLow(Wide a, int s) {
  if (s == 0) return a.x;
  if (s < 32) return int((uint(a.x) >> s) | (uint(a.y) << (32 - s)));
  return a.y >> (s - 32);
}
Wide WideShiftRight(Wide a, int s) {
  if (s == 0) return a;
  if (s < 32) return ivec2(WideShiftRightLow(a, s), a.y >> s);
  return ivec2(a.y >> (s - 32), a.y >> 31);
}
bool WideLess(Wide a, Wide b) { return a.y < b.y || (a.y == b.y && uint(a.x) < uint(b.x)); }
int WideLow(Wide a) { return a.x; }
uint ReciprocalScaleMultiplier(int k, uint count) {
  // Long division of ((1 << 30) + 1) << k, bit by bit from the top; the remainder stays below
  // count <= 2^31, so doubling it fits a uint.
  const Wide dividend = WideAdd(WidePowerOfTwo(30 + k), WidePowerOfTwo(k));
  uint quotient = 0u, remainder = 0u;
  for (int bit = 63; bit >= 0; --bit) {
    const uint word = bit >= 32 ? uint(dividend.y) : uint(dividend.x);
    remainder = (remainder << 1) | ((word >> (bit & 31)) & 1u);
    if (remainder >= count) {
      remainder -= count;
      if (bit < 32) quotient |= 1u << bit;
    }
  }
  return quotient;
}

#endif

// a clipped to [low, high], as an int.
int WideClampToInt(Wide a, int low, int high) {
  if (WideLess(a, WideFromInt(low))) return low;
  if (WideLess(WideFromInt(high), a)) return high;
  return WideLow(a);
}
