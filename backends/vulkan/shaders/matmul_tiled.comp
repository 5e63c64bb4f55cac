// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
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
//
// CONV1X1: a CONV2D with a 1 x 1 kernel, stride 1 and no padding over NHWC, which is this MATMUL
// with A the input as [N*H*W, IC] and B the weights as [IC, OC] (transposed from OHWI at load by
// op_lowering_tiled.cc): h the pixels, c IC, w OC (a multiple of 4), one matrix. The bias (binding
// 2) is added to each sum, which then passes through conv_epilogue.glsl as in the register-blocked
// convolutions (a fused RESCALE to INT8 and CLAMP, or an FP32 CLAMP, or the sums as they are),
// stored as 4 output channels per vector; the input and weight zero points are a_zp and b_zp.
// Integer results equal conv.comp's (wrapping int32 sums are order-independent); float sums run
// over IC in order and add the bias last, as conv2d_blocked.comp does.
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
#ifdef CONV1X1
layout(std430, set = 0, binding = 2) readonly buffer Bias { ACC_T bias_data[]; };
#include "conv_epilogue.glsl"
#else
layout(std430, set = 0, binding = 2) writeonly buffer Output { OUT_T output_data[]; };
#define EPILOGUE_PARAMS
#endif

layout(push_constant) uniform Params {
  int h, c, w, a_zp, b_zp;
  uint row_tiles, column_tiles;  // tiles per output matrix, down and across
  uint groups;  // the dispatch's workgroups that have work; a 2-D dispatch may add some
#ifdef CONV1X1
  int bias_count;  // 1 (one bias for every channel) or OC
#endif
  EPILOGUE_PARAMS
} p;

#ifdef CONV1X1
#include "conv_epilogue.glsl"
#endif

// Shared tiles hold 4 rows of A (stored transposed, k major) or 4 columns of B per vector, so an
// invocation reads its operands for one k as TM / 4 + TN / 4 vector loads. A's rows are padded by
// one vector so that the staging writes (consecutive k of one row) spread over the banks.
#ifdef INT_DOT
// OpSDot (4450) on two 32-bit words of 4 signed 8-bit lanes (PackedVectorFormat4x8Bit, 0): the
// exact int32 sum of the 4 products.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6018, 6019],
                  id = 4450)
int SDotPacked(uint a, uint b, spirv_literal int format);
#define STEPS (BK / 4)  // a word holds 4 consecutive k
#define TILE_T uvec4
#define SUM4_T ivec4
#else
#define STEPS BK
#ifdef FLOAT_MATH
#define TILE_T vec4
#define SUM4_T vec4
#else
#define TILE_T ivec4
#define SUM4_T ivec4
#endif
#endif
shared TILE_T a_tile[STEPS][TILE_M / 4 + 1];
shared TILE_T b_tile[STEPS][TILE_N / 4];

#ifdef INT_DOT
// 4 int8 of A's row `row` from column `k` on (zeros past the matrix), packed little-endian.
uint PackedA(int base, int row, int k) {
  uint packed = 0u;
  if (row < p.h) {
    [[unroll]] for (int t = 0; t < 4; ++t) {
      if (k + t < p.c) packed |= (uint(int(a_data[base + row * p.c + k + t])) & 0xFFu) << (8 * t);
    }
  }
  return packed;
}

// 4 int8 of B's column `column` from row `k` on, packed the same way.
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
#define STAGE_A(base, row, k) PackedA(base, row, 4 * (k))
#define STAGE_B(base, k, column) PackedB(base, 4 * (k), column)
#else
#ifdef FLOAT_MATH
#define LOAD_A(v) LOAD_IN(v)
#define LOAD_B(v) LOAD_IN(v)
#else
#define LOAD_A(v) (ACC_T(v) - ACC_T(p.a_zp))
#define LOAD_B(v) (ACC_T(v) - ACC_T(p.b_zp))
#endif
#define STAGE_A(base, row, k) \
  ((row) < p.h && (k) < p.c ? LOAD_A(a_data[(base) + (row) * p.c + (k)]) : ACC_T(0))
#define STAGE_B(base, k, column) \
  ((k) < p.c && (column) < p.w ? LOAD_B(b_data[(base) + (k) * p.w + (column)]) : ACC_T(0))
#endif

void main() {
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (group >= p.groups) return;  // uniform across the workgroup, so before any barrier
  const uint tiles = p.row_tiles * p.column_tiles;
  const int n = int(group / tiles);
  const int row0 = int((group % tiles) / p.column_tiles) * TILE_M;
  const int column0 = int((group % tiles) % p.column_tiles) * TILE_N;
  const int lid = int(gl_LocalInvocationID.x);
  // The 8 x 8 invocations: invocation (ty, tx) owns the vectors ty + 8 i4 of rows and tx + 8 j4
  // of columns (rows 4 (ty + 8 i4) + r), so 8 neighbouring invocations read 8 neighbouring
  // vectors of B, and A's vectors are shared (broadcast).
  const int tx = lid % 8;
  const int ty = lid / 8;
  const int a_base = n * p.h * p.c;
  const int b_base = n * p.c * p.w;

  SUM4_T acc[TM][TN / 4];
  [[unroll]] for (int i = 0; i < TM; ++i) {
    [[unroll]] for (int j4 = 0; j4 < TN / 4; ++j4) acc[i][j4] = SUM4_T(0);
  }
#ifdef INT_DOT
  int row_sum[TM];
  ivec4 column_sum[TN / 4];
  [[unroll]] for (int i = 0; i < TM; ++i) row_sum[i] = 0;
  [[unroll]] for (int j4 = 0; j4 < TN / 4; ++j4) column_sum[j4] = ivec4(0);
#endif

  for (int k0 = 0; k0 < p.c; k0 += BK) {
    const int step0 = k0 / (BK / STEPS);
    // Neighbouring invocations read neighbouring elements: along k for A, along W for B.
    for (int e = lid; e < TILE_M * STEPS; e += WORKGROUP_SIZE) {
      const int r = e / STEPS, s = e % STEPS;
      a_tile[s][r / 4][r % 4] = STAGE_A(a_base, row0 + r, step0 + s);
    }
    for (int e = lid; e < STEPS * TILE_N; e += WORKGROUP_SIZE) {
      const int s = e / TILE_N, col = e % TILE_N;
      b_tile[s][col / 4][col % 4] = STAGE_B(b_base, step0 + s, column0 + col);
    }
    barrier();
    [[unroll]] for (int s = 0; s < STEPS; ++s) {
      TILE_T a[TM / 4], b[TN / 4];
      [[unroll]] for (int i4 = 0; i4 < TM / 4; ++i4) a[i4] = a_tile[s][ty + 8 * i4];
      [[unroll]] for (int j4 = 0; j4 < TN / 4; ++j4) b[j4] = b_tile[s][tx + 8 * j4];
      [[unroll]] for (int i = 0; i < TM; ++i) {
#ifdef INT_DOT
        const uint a_i = a[i / 4][i % 4];
        [[unroll]] for (int j4 = 0; j4 < TN / 4; ++j4) {
          acc[i][j4] += ivec4(SDotPacked(a_i, b[j4].x, 0), SDotPacked(a_i, b[j4].y, 0),
                              SDotPacked(a_i, b[j4].z, 0), SDotPacked(a_i, b[j4].w, 0));
        }
#else
        [[unroll]] for (int j4 = 0; j4 < TN / 4; ++j4) acc[i][j4] += a[i / 4][i % 4] * b[j4];
#endif
      }
#ifdef INT_DOT
      if (p.b_zp != 0) {
        [[unroll]] for (int i = 0; i < TM; ++i) {
          row_sum[i] += SDotPacked(a[i / 4][i % 4], 0x01010101u, 0);
        }
      }
      if (p.a_zp != 0) {
        [[unroll]] for (int j4 = 0; j4 < TN / 4; ++j4) {
          column_sum[j4] += ivec4(
              SDotPacked(b[j4].x, 0x01010101u, 0), SDotPacked(b[j4].y, 0x01010101u, 0),
              SDotPacked(b[j4].z, 0x01010101u, 0), SDotPacked(b[j4].w, 0x01010101u, 0));
        }
      }
#endif
    }
    barrier();  // every invocation is done with this step's tiles before the next overwrites them
  }

#ifdef INT_DOT
  const int zero_points = p.c * p.a_zp * p.b_zp;
#endif
#ifdef CONV1X1
  // Each block of 4 output channels' bias and epilogue parameters, read once for all its rows; a
  // block past OC (never stored) reads the last one's.
  VEC4_T bias[TN / 4];
  EpilogueChannels channels[TN / 4];
  [[unroll]] for (int j4 = 0; j4 < TN / 4; ++j4) {
    const int column = min(column0 + 4 * (tx + 8 * j4), p.w - 4);
    [[unroll]] for (int t = 0; t < 4; ++t) {
      bias[j4][t] = bias_data[p.bias_count == 1 ? 0 : column + t];
    }
    channels[j4] = EpilogueChannelsOf(column);
  }
#endif
  [[unroll]] for (int i = 0; i < TM; ++i) {
    const int row = row0 + 4 * (ty + 8 * (i / 4)) + i % 4;
    if (row >= p.h) continue;
    [[unroll]] for (int j4 = 0; j4 < TN / 4; ++j4) {
#ifdef INT_DOT
      const ivec4 sum =
          acc[i][j4] - p.b_zp * row_sum[i] - p.a_zp * column_sum[j4] + zero_points;
#else
      const SUM4_T sum = acc[i][j4];
#endif
      const int column = column0 + 4 * (tx + 8 * j4);
#ifdef CONV1X1
      // OC is a multiple of 4: a block of 4 channels is wholly inside or wholly past.
      if (column < p.w) {
        output_data[(row * p.w + column) / 4] = Epilogue(sum + bias[j4], channels[j4]);
      }
#else
      [[unroll]] for (int t = 0; t < 4; ++t) {
        if (column + t < p.w) output_data[(n * p.h + row) * p.w + column + t] = STORE_OUT(sum[t]);
      }
#endif
    }
  }
}
