// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// CAST between BOOL, INT8, INT16, INT32 and the floats (FP32, FP16, BF16, FP8 E4M3 and E5M2), as
// the CPU kernel (backends/cpu/kernels/cast.cc):
// - to BOOL: 1 for any non-zero value (NaN included), else 0;
// - from BOOL: 1 or 0 (1.0 or 0.0);
// - integer to integer: sign extend or keep the low bits (truncation);
// - float to integer: round half to even (roundEven is exact), then clip to the output's range,
//   comparing in float against bounds float holds exactly (the upper one as max + 1); NaN gives 0
//   (an error the CPU backend reports);
// - integer to float and float to float: the nearest value, ties to even, rounded once (an
//   integer too wide for fp32 is first cut to 24 significant bits with a sticky last bit, which
//   keeps the final rounding exact for the narrow formats).
// IN_KIND / OUT_KIND: 0 integer, 1 BOOL, 2 FP32, 3 FP16, 4 BF16, 5 FP8 E4M3, 6 FP8 E5M2.
#include "common.glsl"
#include "float_storage.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { OUT_T output_data[]; };

layout(push_constant) uniform Params {
  uint total;
} p;

#if IN_KIND >= 2
float LoadFloat(IN_T v) {
#if IN_KIND == 2
  return v;
#elif IN_KIND == 3
  return Fp16ToFloat(v);
#elif IN_KIND == 4
  return Bf16ToFloat(v);
#elif IN_KIND == 5
  return Fp8E4M3ToFloat(v);
#else
  return Fp8E5M2ToFloat(v);
#endif
}
#endif

#if OUT_KIND >= 2
OUT_T StoreFloat(float v) {
#if OUT_KIND == 2
  return v;
#elif OUT_KIND == 3
  return FloatToFp16(v);
#elif OUT_KIND == 4
  return FloatToBf16(v);
#elif OUT_KIND == 5
  return FloatToFp8E4M3(v);
#else
  return FloatToFp8E5M2(v);
#endif
}
#endif

// `x` as an fp32 that rounds to the narrow formats as `x` itself would: exact below 2^24, else its
// top 24 bits with the bits cut off folded into the last one (round to odd).
float IntegerForNarrowing(int x) {
  const uint magnitude = x < 0 ? uint(-x) : uint(x);  // INT32_MIN: 2^31, as uint
  const int top = findMSB(magnitude);
  if (top < 24) return float(x);
  const int cut = top - 23;
  uint kept = magnitude >> cut;
  if ((magnitude & ((1u << cut) - 1u)) != 0u) kept |= 1u;
  const float value = float(kept) * PowerOfTwo(cut);
  return x < 0 ? -value : value;
}

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
#if IN_KIND >= 2
  const float x = LoadFloat(input_data[index]);
#else
  const int x = int(input_data[index]);
#endif
#if OUT_KIND == 1
  output_data[index] = OUT_T(x != 0 ? 1 : 0);
#elif IN_KIND == 1
#if OUT_KIND >= 2
  output_data[index] = StoreFloat(x != 0 ? 1.0 : 0.0);
#else
  output_data[index] = OUT_T(x != 0 ? 1 : 0);
#endif
#elif OUT_KIND == 2 && IN_KIND == 0
  output_data[index] = float(x);
#elif OUT_KIND >= 2 && IN_KIND == 0
  output_data[index] = StoreFloat(IntegerForNarrowing(x));
#elif OUT_KIND >= 2
  output_data[index] = StoreFloat(x);
#elif IN_KIND >= 2
  int result;
  const float rounded = roundEven(x);
  if (isnan(x)) {
    result = 0;
  } else if (rounded >= OUT_MAX_PLUS_ONE) {
    result = OUT_MAX;
  } else if (rounded <= float(OUT_MIN)) {
    result = OUT_MIN;
  } else {
    result = int(rounded);
  }
  output_data[index] = OUT_T(result);
#else
  output_data[index] = OUT_T(x);
#endif
}
