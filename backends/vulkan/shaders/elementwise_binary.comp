// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// The binary elementwise operators with broadcasting: both operands are read through strides over
// the output's dimensions (broadcast.glsl). Integer operands are widened to int (sign extended;
// BOOL's bytes are 0 or 1), computed there and narrowed to OUT_T by truncation, which is the CPU
// kernels' arithmetic:
// - ADD and SUB wrap; MUL forms the product in 64 bits and rounds it right by the specification's
//   shift (0 to 63); INT8/INT16 MUL writes int32.
// - INTDIV truncates toward zero; division by zero gives 0 and INT32_MIN / -1 gives INT32_MIN
//   (both errors the CPU backend reports).
// - Shift amounts outside [0, BITS) are reduced modulo BITS as in the CPU kernels (which report
//   them); LOGICAL_RIGHT_SHIFT shifts the BITS-bit unsigned view; ARITHMETIC_RIGHT_SHIFT with
//   round adds the last bit shifted out.
// - EQUAL, GREATER, GREATER_EQUAL and the LOGICAL operators write BOOL (0 or 1); float
//   comparisons with a NaN are false.
#include "common.glsl"
#include "wide_int.glsl"
#include "broadcast.glsl"
#ifdef FLOAT_MATH
#include "float_storage.glsl"
#endif
// How a float operand is read and a float result written: FP32 directly, the narrow floats through
// float_storage.glsl (LOAD_T / STORE_T name its functions in their variants).
#ifndef LOAD_T
#define LOAD_T float
#endif
#ifndef STORE_T
#define STORE_T OUT_T
#endif

layout(std430, set = 0, binding = 0) readonly buffer A { T a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { T b_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { OUT_T output_data[]; };

const int kAdd = 0;
const int kSub = 1;
const int kMul = 2;
const int kMaximum = 3;
const int kMinimum = 4;
const int kIntDiv = 5;
const int kBitwiseAnd = 6;
const int kBitwiseOr = 7;
const int kBitwiseXor = 8;
const int kLogicalLeftShift = 9;
const int kLogicalRightShift = 10;
const int kArithmeticRightShift = 11;
const int kArithmeticRightShiftRound = 12;
const int kEqual = 13;
const int kGreater = 14;
const int kGreaterEqual = 15;
const int kLogicalAnd = 16;
const int kLogicalOr = 17;
const int kLogicalXor = 18;
const int kPow = 19;

layout(push_constant) uniform Params {
  int dims[6];
  int a_strides[6];
  int b_strides[6];
  int op, shift, nan_mode;
  uint total;
} p;

// DYNAMIC_SHIFT variants read MUL's shift from its tensor (the graph computes it: binding 3, INT8)
// rather than from the push constants.
#ifdef DYNAMIC_SHIFT
layout(std430, set = 0, binding = 3) readonly buffer Shift { int8_t shift_data[]; };
#define SHIFT int(shift_data[0])
#else
#define SHIFT p.shift
#endif

#ifdef FLOAT_MATH
#include "float_minmax.glsl"
#endif

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  int coordinates[6];
  Coordinates(index, p.dims, coordinates);
#ifdef FLOAT_MATH
  const float a = LOAD_T(a_data[Offset(coordinates, p.a_strides)]);
  const float b = LOAD_T(b_data[Offset(coordinates, p.b_strides)]);
  float result;
  switch (p.op) {
    case kAdd: result = a + b; break;
    case kSub: result = a - b; break;
    case kMul: result = a * b; break;
    case kMaximum: result = ApplyMax(a, b, p.nan_mode); break;
    case kMinimum: result = ApplyMin(a, b, p.nan_mode); break;
    case kPow: result = pow(a, b); break;
    case kEqual: result = a == b ? 1.0 : 0.0; break;
    case kGreater: result = a > b ? 1.0 : 0.0; break;
    default: result = a >= b ? 1.0 : 0.0; break;
  }
  output_data[index] = STORE_T(result);
#else
  const int x = int(a_data[Offset(coordinates, p.a_strides)]);
  const int y = int(b_data[Offset(coordinates, p.b_strides)]);
  // Shift amounts reduced modulo the element width, as the CPU kernels do.
  const int amount = y & (BITS - 1);
  int result;
  switch (p.op) {
    case kAdd: result = x + y; break;
    case kSub: result = x - y; break;
    case kMul: {
      Wide product = WideMul(x, y);
      if (SHIFT > 0) product = WideAdd(product, WidePowerOfTwo(SHIFT - 1));
      result = WideShiftRightLow(product, SHIFT);
      break;
    }
    case kMaximum: result = max(x, y); break;
    case kMinimum: result = min(x, y); break;
    case kIntDiv:
      if (y == 0) {
        result = 0;
      } else if (x == int(0x80000000u) && y == -1) {
        result = x;
      } else {
        result = x / y;
      }
      break;
    case kBitwiseAnd: result = x & y; break;
    case kBitwiseOr: result = x | y; break;
    case kBitwiseXor: result = x ^ y; break;
    case kLogicalLeftShift: result = int(uint(x) << amount); break;
    case kLogicalRightShift: result = int((uint(x) & uint(MASK)) >> amount); break;
    case kArithmeticRightShift: result = x >> amount; break;
    case kArithmeticRightShiftRound:
      result = x >> amount;
      if (amount > 0 && ((x >> (amount - 1)) & 1) != 0) ++result;
      break;
    case kEqual: result = x == y ? 1 : 0; break;
    case kGreater: result = x > y ? 1 : 0; break;
    case kGreaterEqual: result = x >= y ? 1 : 0; break;
    case kLogicalAnd: result = (x != 0 && y != 0) ? 1 : 0; break;
    case kLogicalOr: result = (x != 0 || y != 0) ? 1 : 0; break;
    default: result = ((x != 0) != (y != 0)) ? 1 : 0; break;
  }
  output_data[index] = OUT_T(result);
#endif
}
