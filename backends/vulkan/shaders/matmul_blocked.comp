#version 450
// MATMUL, A [N,H,C] times B [N,C,W] into [N,H,W], for W % 4 == 0: each invocation computes 4
// adjacent outputs of one row, reading B four at a time (4 packed int8 in a uint, or a vec4) and
// A at a workgroup-uniform address (the invocations of a workgroup share the row). Integer
// variants subtract the zero points and accumulate in int32 with wrapping, as matmul.comp;
// invocations past the row's end compute a copy of its last outputs and skip the store.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { A_T a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { IN_T b_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { VEC4_T output_data[]; };

layout(push_constant) uniform Params {
  int h, c, w, a_zp, b_zp;
  uint row_groups;  // workgroups per output row
  uint groups;  // the dispatch's workgroups that have work; a 2-D dispatch may add some
} p;

VEC4_T Unpack(IN_T v) {
#ifdef FLOAT_MATH
  return v;
#else
  const int i = int(v);
  return ivec4(bitfieldExtract(i, 0, 8), bitfieldExtract(i, 8, 8), bitfieldExtract(i, 16, 8),
               bitfieldExtract(i, 24, 8)) - p.b_zp;
#endif
}

void main() {
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (group >= p.groups) return;
  const int row = int(group / p.row_groups);  // n * H + y
  const int quads = p.w / 4;
  const int quad = int((group % p.row_groups) * WORKGROUP_SIZE + gl_LocalInvocationID.x);
  const int x = min(quad, quads - 1);
  const int n = row / p.h;
  const int a_base = row * p.c;
  const int b_base = n * p.c * quads + x;
  VEC4_T acc = VEC4_T(0);
  for (int k = 0; k < p.c; ++k) {
#ifdef FLOAT_MATH
    const ACC_T a = a_data[a_base + k];
#else
    const ACC_T a = ACC_T(a_data[a_base + k]) - p.a_zp;
#endif
    acc += a * Unpack(b_data[b_base + k * quads]);
  }
  if (quad >= quads) return;
  output_data[row * quads + quad] = acc;
}
