// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// The unary elementwise operators. Integers are widened to int (BOOL's bytes are 0 or 1) and
// narrowed to T by truncation:
// - ABS keeps INT32_MIN (an error the CPU backend reports); NEGATE subtracts the input zero point,
//   negates and adds the output zero point in 64 bits, then clips to T's range [out_min, out_max]
//   as the CPU kernel does; CLZ of 0 is 32.
// Floats meet TOSA's compliance bounds rather than match the CPU's fp64 bit for bit. The
// functions GLSL's precision rules leave loose near the edges of their domains (LOG, RSQRT, TANH,
// and ERF, which GLSL lacks) are written out here; float_functions.glsl says how.
#include "common.glsl"
#include "wide_int.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { T input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { T output_data[]; };

const int kAbs = 0;
const int kNegate = 1;
const int kBitwiseNot = 2;
const int kClz = 3;
const int kLogicalNot = 4;
const int kCeil = 5;
const int kFloor = 6;
const int kCos = 7;
const int kSin = 8;
const int kExp = 9;
const int kLog = 10;
const int kReciprocal = 11;
const int kRsqrt = 12;
const int kSigmoid = 13;
const int kTanh = 14;
const int kErf = 15;

layout(push_constant) uniform Params {
  int op, input_zp, output_zp, out_min, out_max;
  uint total;
} p;

// DYNAMIC_ZP variants read the zero points from their tensors (the graph computes them: bindings
// 2 and 3, of the input's type) rather than from the push constants.
#ifdef DYNAMIC_ZP
layout(std430, set = 0, binding = 2) readonly buffer InputZp { T input_zp_data[]; };
layout(std430, set = 0, binding = 3) readonly buffer OutputZp { T output_zp_data[]; };
#define INPUT_ZP int(input_zp_data[0])
#define OUTPUT_ZP int(output_zp_data[0])
#else
#define INPUT_ZP p.input_zp
#define OUTPUT_ZP p.output_zp
#endif

#ifdef FLOAT_MATH
#include "float_functions.glsl"
#endif
#ifdef FLOAT_MATH
#include "float_storage.glsl"
#endif
// How a float operand is read and a float result written: FP32 directly, the narrow floats through
// float_storage.glsl (LOAD_T / STORE_T name its functions in their variants).
#ifndef LOAD_T
#define LOAD_T float
#endif
#ifndef STORE_T
#define STORE_T T
#endif

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
#ifdef FLOAT_MATH
  const float x = LOAD_T(input_data[index]);
  float result;
  switch (p.op) {
    case kAbs: result = abs(x); break;
    case kNegate: result = -x; break;
    case kCeil: result = ceil(x); break;
    case kFloor: result = floor(x); break;
    case kCos: result = cos(x); break;
    case kSin: result = sin(x); break;
    case kExp: result = exp(x); break;
    case kLog: result = Log(x); break;
    case kReciprocal: result = 1.0 / x; break;
    case kRsqrt: result = Rsqrt(x); break;
    case kSigmoid: result = 1.0 / (1.0 + exp(-x)); break;
    case kTanh: result = Tanh(x); break;
    default: result = Erf(x); break;
  }
  output_data[index] = STORE_T(result);
#else
  const int x = int(input_data[index]);
  int result;
  switch (p.op) {
    case kAbs: result = x == int(0x80000000u) ? x : abs(x); break;
    case kNegate: {
      const Wide value =
          WideAdd(WideSub(WideFromInt(INPUT_ZP), WideFromInt(x)), WideFromInt(OUTPUT_ZP));
      result = WideClampToInt(value, p.out_min, p.out_max);
      break;
    }
    case kBitwiseNot: result = ~x; break;
    case kClz: result = 31 - findMSB(uint(x)); break;
    default: result = x == 0 ? 1 : 0; break;
  }
  output_data[index] = T(result);
#endif
}
