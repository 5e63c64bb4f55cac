#version 450
// ADD, SUB, MUL, MAXIMUM, MINIMUM with broadcasting: both operands are read through strides over
// the output's dimensions (a stride of 0 repeats an operand along a broadcast dimension). Ranks
// below 6 are padded with leading 1s. Integer MUL takes the specification's shift (0 to 63) with
// the product formed in 64 bits; integer ADD and SUB wrap like the CPU kernels.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { T a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { T b_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { OUT_T output_data[]; };

const int kAdd = 0;
const int kSub = 1;
const int kMul = 2;
const int kMaximum = 3;
const int kMinimum = 4;

layout(push_constant) uniform Params {
  int dims[6];
  int a_strides[6];
  int b_strides[6];
  int op, shift, nan_mode;
  uint total;
} p;

#ifdef FLOAT_MATH
#include "float_minmax.glsl"
#endif

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  uint rest = index;
  int a_offset = 0;
  int b_offset = 0;
  for (int d = 5; d >= 0; --d) {
    const int coordinate = int(rest % uint(p.dims[d]));
    rest /= uint(p.dims[d]);
    a_offset += coordinate * p.a_strides[d];
    b_offset += coordinate * p.b_strides[d];
  }
  const T a = a_data[a_offset];
  const T b = b_data[b_offset];
#ifdef FLOAT_MATH
  float result;
  switch (p.op) {
    case kAdd: result = a + b; break;
    case kSub: result = a - b; break;
    case kMul: result = a * b; break;
    case kMaximum: result = ApplyMax(a, b, p.nan_mode); break;
    default: result = ApplyMin(a, b, p.nan_mode); break;
  }
  output_data[index] = OUT_T(result);
#else
  int result;
  switch (p.op) {
    case kAdd: result = a + b; break;
    case kSub: result = a - b; break;
    case kMul: {
      int64_t product = int64_t(a) * int64_t(b);
      if (p.shift > 0) product = (product + (int64_t(1) << (p.shift - 1))) >> p.shift;
      result = int(product);
      break;
    }
    case kMaximum: result = max(a, b); break;
    default: result = min(a, b); break;
  }
  output_data[index] = OUT_T(result);
#endif
}
