// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// MATMUL, A [N,H,C] times B [N,C,W] into [N,H,W]. One invocation per output element; integer
// variants subtract the zero points and accumulate in int32; WIDE variants (INT16 into INT48) sum
// exact 64-bit products and write int64 (wide_int.glsl's Wide, as stored_form.h holds INT48).
#include "common.glsl"
#ifdef FLOAT_MATH
#include "float_storage.glsl"
#endif
#ifdef WIDE
#include "wide_int.glsl"
#endif
// How operands are read into ACC_T and the sum written: directly, or for the narrow floats
// through float_storage.glsl (the variants name its functions).
#ifndef LOAD_IN
#define LOAD_IN ACC_T
#endif
#ifndef STORE_OUT
#define STORE_OUT OUT_T
#endif

layout(std430, set = 0, binding = 0) readonly buffer A { IN_T a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { IN_T b_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { OUT_T output_data[]; };

layout(push_constant) uniform Params {
  int h, c, w, a_zp, b_zp;
  uint total;
} p;

// DYNAMIC_ZP variants read the zero points from their tensors (the graph computes them: bindings
// 3 and 4, of A's type) rather than from the push constants.
#ifdef DYNAMIC_ZP
layout(std430, set = 0, binding = 3) readonly buffer AZpData { IN_T a_zp_data[]; };
layout(std430, set = 0, binding = 4) readonly buffer BZpData { IN_T b_zp_data[]; };
#define A_ZP int(a_zp_data[0])
#define B_ZP int(b_zp_data[0])
#else
#define A_ZP p.a_zp
#define B_ZP p.b_zp
#endif

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const int x = int(index % uint(p.w));
  uint rest = index / uint(p.w);
  const int y = int(rest % uint(p.h));
  const int n = int(rest / uint(p.h));
  const int a_base = (n * p.h + y) * p.c;
  const int b_base = n * p.c * p.w + x;
#ifdef WIDE
  Wide acc = WideFromInt(0);
#else
  ACC_T acc = ACC_T(0);
#endif
  for (int k = 0; k < p.c; ++k) {
#if defined(FLOAT_MATH)
    acc += LOAD_IN(a_data[a_base + k]) * LOAD_IN(b_data[b_base + k * p.w]);
#elif defined(WIDE)
    acc = WideAdd(acc, WideMul(int(a_data[a_base + k]) - A_ZP,
                               int(b_data[b_base + k * p.w]) - B_ZP));
#else
    acc += (ACC_T(a_data[a_base + k]) - ACC_T(A_ZP)) *
           (ACC_T(b_data[b_base + k * p.w]) - ACC_T(B_ZP));
#endif
  }
#ifdef WIDE
  output_data[index] = acc;
#else
  output_data[index] = STORE_OUT(acc);
#endif
}
