#version 450
// MATMUL, A [N,H,C] times B [N,C,W] into [N,H,W], for large matrices (op_lowering_tiled.cc picks
// it): each workgroup computes a TILE_M x TILE_N tile of one output matrix. Per step of BK along
// C, its 64 invocations copy the step's A and B sub-tiles into shared memory once (global reads
// coalesced: neighbouring invocations read neighbouring elements), then each invocation computes
// a TM x TN register block of the tile from shared memory, so every element read from device
// memory feeds TILE_N (A) or TILE_M (B) multiply-adds instead of one. The 8 x 8 invocations own
// rows ty + 8i and columns tx + 8j of the tile: reads of one shared row by neighbouring
// invocations fall in different banks or are broadcasts.
//
// Any H, W and C: parts of a tile past the matrix are staged as zeros, which add nothing (a float
// sum that starts at +0 never becomes -0 by adding +0), and are not stored. Each output sums over
// k in order 0..C-1, as matmul.comp does.
//
// Integer variants subtract the zero points while staging and sum in int32 with wrapping, so the
// bytes are the CPU backend's. INT_DOT variants stage 4 consecutive k of A's rows and B's columns
// as packed int8 and use SPV_KHR_integer_dot_product's OpSDot (Vulkan 1.3's
// shaderIntegerDotProduct; Debian 12's glslang has no GL_EXT_integer_dot_product, so the
// instruction is declared with GL_EXT_spirv_intrinsics). The zero points then come out of the sum
// by sum((a - za)(b - zb)) = sum(ab) - zb sum(a) - za sum(b) + C za zb, exact in wrapping int32.
#ifdef INT_DOT
#extension GL_EXT_spirv_intrinsics : require
#endif
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#ifdef FLOAT_MATH
#include "float_storage.glsl"
#endif
#ifndef LOAD_IN
#define LOAD_IN ACC_T
#endif
#ifndef STORE_OUT
#define STORE_OUT OUT_T
#endif

#define TILE_M (8 * TM)
#define TILE_N (8 * TN)

layout(std430, set = 0, binding = 0) readonly buffer A { IN_T a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { IN_T b_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { OUT_T output_data[]; };

layout(push_constant) uniform Params {
  int h, c, w, a_zp, b_zp;
  uint row_tiles, column_tiles;  // tiles per output matrix, down and across
  uint groups;  // the dispatch's workgroups that have work; a 2-D dispatch may add some
} p;

#ifdef INT_DOT
// OpSDot (4450) on two 32-bit words of 4 signed 8-bit lanes (PackedVectorFormat4x8Bit, 0): the
// exact int32 sum of the 4 products.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6018, 6019],
                  id = 4450)
int SDotPacked(uint a, uint b, spirv_literal int format);
#define QUADS (BK / 4)
// A's rows padded by one word so that the staging writes (consecutive k of one row) spread over
// the banks.
shared uint a_tile[QUADS][TILE_M + 1];
shared uint b_tile[QUADS][TILE_N];

// 4 int8 of row `row` from column `k` on (zeros past the matrix), packed little-endian.
uint PackedA(int base, int row, int k) {
  uint packed = 0u;
  if (row < p.h) {
    [[unroll]] for (int t = 0; t < 4; ++t) {
      if (k + t < p.c) packed |= (uint(int(a_data[base + row * p.c + k + t])) & 0xFFu) << (8 * t);
    }
  }
  return packed;
}

uint PackedB(int base, int k, int column) {
  uint packed = 0u;
  if (column < p.w) {
    [[unroll]] for (int t = 0; t < 4; ++t) {
      if (k + t < p.c) {
        packed |= (uint(int(b_data[base + (k + t) * p.w + column])) & 0xFFu) << (8 * t);
      }
    }
  }
  return packed;
}
#else
shared ACC_T a_tile[BK][TILE_M + 1];
shared ACC_T b_tile[BK][TILE_N];

#ifdef FLOAT_MATH
#define LOAD_A(v) LOAD_IN(v)
#define LOAD_B(v) LOAD_IN(v)
#else
#define LOAD_A(v) (ACC_T(v) - ACC_T(p.a_zp))
#define LOAD_B(v) (ACC_T(v) - ACC_T(p.b_zp))
#endif
#endif

void main() {
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (group >= p.groups) return;  // uniform across the workgroup, so before any barrier
  const uint tiles = p.row_tiles * p.column_tiles;
  const int n = int(group / tiles);
  const int row0 = int((group % tiles) / p.column_tiles) * TILE_M;
  const int column0 = int((group % tiles) % p.column_tiles) * TILE_N;
  const int lid = int(gl_LocalInvocationID.x);
  const int tx = lid % 8;
  const int ty = lid / 8;
  const int a_base = n * p.h * p.c;
  const int b_base = n * p.c * p.w;

  ACC_T acc[TM][TN];
  [[unroll]] for (int i = 0; i < TM; ++i) {
    [[unroll]] for (int j = 0; j < TN; ++j) acc[i][j] = ACC_T(0);
  }
#ifdef INT_DOT
  int row_sum[TM];
  int column_sum[TN];
  [[unroll]] for (int i = 0; i < TM; ++i) row_sum[i] = 0;
  [[unroll]] for (int j = 0; j < TN; ++j) column_sum[j] = 0;
#endif

  for (int k0 = 0; k0 < p.c; k0 += BK) {
#ifdef INT_DOT
    for (int e = lid; e < TILE_M * QUADS; e += WORKGROUP_SIZE) {
      const int r = e / QUADS, q = e % QUADS;
      a_tile[q][r] = PackedA(a_base, row0 + r, k0 + 4 * q);
    }
    for (int e = lid; e < QUADS * TILE_N; e += WORKGROUP_SIZE) {
      const int q = e / TILE_N, col = e % TILE_N;
      b_tile[q][col] = PackedB(b_base, k0 + 4 * q, column0 + col);
    }
    barrier();
    [[unroll]] for (int q = 0; q < QUADS; ++q) {
      uint a[TM], b[TN];
      [[unroll]] for (int i = 0; i < TM; ++i) a[i] = a_tile[q][ty + 8 * i];
      [[unroll]] for (int j = 0; j < TN; ++j) b[j] = b_tile[q][tx + 8 * j];
      [[unroll]] for (int i = 0; i < TM; ++i) {
        [[unroll]] for (int j = 0; j < TN; ++j) acc[i][j] += SDotPacked(a[i], b[j], 0);
      }
      if (p.b_zp != 0) {
        [[unroll]] for (int i = 0; i < TM; ++i) row_sum[i] += SDotPacked(a[i], 0x01010101u, 0);
      }
      if (p.a_zp != 0) {
        [[unroll]] for (int j = 0; j < TN; ++j) column_sum[j] += SDotPacked(b[j], 0x01010101u, 0);
      }
    }
#else
    for (int e = lid; e < TILE_M * BK; e += WORKGROUP_SIZE) {
      const int r = e / BK, k = e % BK;
      const int row = row0 + r, kk = k0 + k;
      a_tile[k][r] = row < p.h && kk < p.c ? LOAD_A(a_data[a_base + row * p.c + kk]) : ACC_T(0);
    }
    for (int e = lid; e < BK * TILE_N; e += WORKGROUP_SIZE) {
      const int k = e / TILE_N, col = e % TILE_N;
      const int kk = k0 + k, column = column0 + col;
      b_tile[k][col] =
          kk < p.c && column < p.w ? LOAD_B(b_data[b_base + kk * p.w + column]) : ACC_T(0);
    }
    barrier();
    [[unroll]] for (int k = 0; k < BK; ++k) {
      ACC_T a[TM], b[TN];
      [[unroll]] for (int i = 0; i < TM; ++i) a[i] = a_tile[k][ty + 8 * i];
      [[unroll]] for (int j = 0; j < TN; ++j) b[j] = b_tile[k][tx + 8 * j];
      [[unroll]] for (int i = 0; i < TM; ++i) {
        [[unroll]] for (int j = 0; j < TN; ++j) acc[i][j] += a[i] * b[j];
      }
    }
#endif
    barrier();  // every invocation is done with this step's tiles before the next overwrites them
  }

#ifdef INT_DOT
  const int zero_points = p.c * p.a_zp * p.b_zp;
#endif
  [[unroll]] for (int i = 0; i < TM; ++i) {
    const int row = row0 + ty + 8 * i;
    if (row >= p.h) break;
    [[unroll]] for (int j = 0; j < TN; ++j) {
      const int column = column0 + tx + 8 * j;
      if (column >= p.w) break;
#ifdef INT_DOT
      const ACC_T sum = acc[i][j] - p.b_zp * row_sum[i] - p.a_zp * column_sum[j] + zero_points;
#else
      const ACC_T sum = acc[i][j];
#endif
      output_data[(n * p.h + row) * p.w + column] = STORE_OUT(sum);
    }
  }
}
