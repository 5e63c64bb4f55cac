// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// REDUCE_SUM / MAX / MIN / PRODUCT / ANY / ALL and ARGMAX along one axis. The input is viewed as
// [outer, length, inner]; one invocation per output element (outer, inner) folds the axis in
// order, as the CPU kernels do, so even FP32 SUM and PRODUCT round the same way:
// - integer SUM wraps in int32 (overflow is an error the CPU backend reports);
// - MAX / MIN / ARGMAX on floats follow float_minmax.glsl, starting from NaN under nan_mode
//   IGNORE and from the lowest (highest) value otherwise; ARGMAX moves its index only when the
//   maximum changes and never from one NaN to another (backends/cpu/kernels/argmax.cc).
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { T input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { OUT_T output_data[]; };

const int kSum = 0;
const int kMax = 1;
const int kMin = 2;
const int kProduct = 3;
const int kAny = 4;
const int kAll = 5;
const int kArgMax = 6;

layout(push_constant) uniform Params {
  int axis_length, inner, op, nan_mode;
  uint total;
} p;

#ifdef FLOAT_MATH
#include "float_minmax.glsl"
#include "float_storage.glsl"
#define ACC_T float
#ifndef LOAD_T
#define LOAD_T float
#endif
#ifndef STORE_T
#define STORE_T OUT_T
#endif
#define kNaN uintBitsToFloat(0x7FC00000u)
#define kInfinity uintBitsToFloat(0x7F800000u)
#else
#define ACC_T int
#define LOAD_T int
#define STORE_T OUT_T
#endif

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const uint inner = uint(p.inner);
  const uint base = (index / inner) * uint(p.axis_length) * inner + index % inner;
  ACC_T acc;
#ifdef FLOAT_MATH
  switch (p.op) {
    case kSum: acc = 0.0; break;
    case kProduct: acc = 1.0; break;
    case kMin: acc = p.nan_mode == 2 ? kNaN : kInfinity; break;
    default: acc = p.nan_mode == 2 ? kNaN : -kInfinity; break;
  }
#else
  switch (p.op) {
    case kSum: case kAny: acc = 0; break;
    case kAll: acc = 1; break;
    case kMin: acc = HIGHEST; break;
    default: acc = LOWEST; break;
  }
#endif
  int arg = 0;
  for (int k = 0; k < p.axis_length; ++k) {
    const ACC_T value = LOAD_T(input_data[base + uint(k) * inner]);
    switch (p.op) {
      case kSum: acc += value; break;
#ifdef FLOAT_MATH
      case kProduct: acc *= value; break;
      case kMax: acc = ApplyMax(acc, value, p.nan_mode); break;
      case kMin: acc = ApplyMin(acc, value, p.nan_mode); break;
      case kArgMax: {
        const float result = ApplyMax(value, acc, p.nan_mode);
        const bool changed = isnan(result) != isnan(acc) || (!isnan(result) && result != acc);
        if (changed) {
          acc = result;
          arg = k;
        }
        break;
      }
#else
      case kMax: acc = acc >= value ? acc : value; break;
      case kMin: acc = acc < value ? acc : value; break;
      case kAny: acc = (acc != 0 || value != 0) ? 1 : 0; break;
      case kAll: acc = (acc != 0 && value != 0) ? 1 : 0; break;
      case kArgMax: {
        const int result = value >= acc ? value : acc;
        if (result != acc) {
          acc = result;
          arg = k;
        }
        break;
      }
#endif
      default: break;
    }
  }
  if (p.op == kArgMax) {
    output_data[index] = OUT_T(arg);
  } else {
    output_data[index] = STORE_T(acc);
  }
}
