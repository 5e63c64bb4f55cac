// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// MATMUL, A [N,H,C] times B [N,C,W] into [N,H,W], for W % 4 == 0: each invocation computes 4
// adjacent outputs of one row, reading B four at a time (4 packed int8 in a uint, or a vec4) and
// A at a workgroup-uniform address (the invocations of a workgroup share the row). Integer
// variants subtract the zero points and accumulate in int32 with wrapping, as matmul.comp;
// invocations past the row's end compute a copy of its last outputs and skip the store.
//   SHARED_A: A's elements are loaded 8 at a time, one per invocation of a subgroup of 8, and
//     handed round (on lavapipe each load is a loop over the invocations, even at an address
//     every invocation shares); the device needs subgroup shuffles in compute shaders.
//   TEXEL_B: B is read through a uniform texel buffer of 32-bit words, one word (4 int8) or four
//     (4 floats, as their bits) a texel (the lowering's BufferRef::Texels), which lavapipe reads
//     in about a third of a storage-buffer load's time.
#include "common.glsl"
#ifdef SHARED_A
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif

layout(std430, set = 0, binding = 0) readonly buffer A { A_T a_data[]; };
#ifdef TEXEL_B
layout(set = 0, binding = 1) uniform usamplerBuffer b_texels;
#ifdef FLOAT_MATH
#define LOAD_B(at) uintBitsToFloat(texelFetch(b_texels, at))
#else
#define LOAD_B(at) texelFetch(b_texels, at).x
#endif
#else
layout(std430, set = 0, binding = 1) readonly buffer B { IN_T b_data[]; };
#define LOAD_B(at) b_data[at]
#endif
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
  int k = 0;
#ifdef SHARED_A
  if (kSubgroupsOfEight) {
    const uint lane = gl_SubgroupInvocationID & 7u;
    for (; k + 8 <= p.c; k += 8) {
      const A_T mine = a_data[a_base + k + int(lane)];
      [[unroll]] for (int j = 0; j < 8; ++j) {
#ifdef FLOAT_MATH
        const ACC_T a = subgroupShuffle(mine, uint(j));
#else
        const ACC_T a = ACC_T(subgroupShuffle(int(mine), uint(j))) - p.a_zp;
#endif
        acc += a * Unpack(LOAD_B(b_base + (k + j) * quads));
      }
    }
  }
#endif
  for (; k < p.c; ++k) {
#ifdef FLOAT_MATH
    const ACC_T a = a_data[a_base + k];
#else
    const ACC_T a = ACC_T(a_data[a_base + k]) - p.a_zp;
#endif
    acc += a * Unpack(LOAD_B(b_base + k * quads));
  }
  if (quad >= quads) return;
  output_data[row * quads + quad] = acc;
}
