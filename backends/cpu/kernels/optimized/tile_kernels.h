// The SIMD inner loops of the optimised convolution and matrix-product kernels: one tile of
// kTileRows x kTileCols outputs of a matrix product against packed weights, one output pixel of a
// depthwise convolution, and the FP32 CLAMP that follows them. Each instruction set provides one
// table; the drivers (conv2d_optimized.cc, ...) do the geometry and call these through
// SelectTileKernels().
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_TILE_KERNELS_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_TILE_KERNELS_H_

#include <cstdint>

namespace inferd::cpu::kernels::optimized {

// Rows (output pixels or matrix rows) and columns (output channels) of one tile.
inline constexpr int kTileRows = 4;
inline constexpr int kTileCols = 16;
// Channels one depthwise block covers; packed depthwise weights are padded to a multiple.
inline constexpr int kDepthwiseBlock = 16;

// INT8 tile. rows[r] points at 2 * depth_pairs int16 values (x - input_zp, zero beyond the depth);
// packed holds depth_pairs x kTileCols x 2 int16 values (weight - weight_zp) as PackInt8Matrix lays
// them out. Every product fits 17 bits and the callers bound the depth so every partial sum fits
// int32, hence the int32 accumulation is exact. Writes acc + bias[c] (wrapping, like the reference
// kernel's cast) for the first rows_valid x cols_valid outputs, row r at out + r * out_stride, and
// returns true when one of those additions overflowed int32.
using Int8TileFn = bool (*)(const int16_t* const* rows, int64_t depth_pairs, const int16_t* packed,
                            const int32_t* bias, int32_t* out, int64_t out_stride, int rows_valid,
                            int cols_valid);

// INT8 tile in quads, for weights whose zero point is 0 (AVX-512 VNNI's vpdpbusd multiplies four
// unsigned bytes by four signed ones per int32 lane, twice the pairs of Int8TileFn per
// instruction). rows[r] points at 4 * depth_quads uint8 values (x + 128, any value beyond the
// depth); packed holds depth_quads x kTileCols x 4 int8 weights (zeros beyond the depth) as
// PackInt8Quads lays them out. Column c's accumulator starts at sum_scale x column_sums[c] (the sum
// of column c's weights), with sum_scale = -(128 + input_zp), so that it ends at the sum of
// (x - input_zp) * weight: the same int32 the pairs give (intermediate sums may wrap; the final one
// fits, so wrapping arithmetic makes it exact). Then, as Int8TileFn: acc + bias[c] written and
// overflow of that addition reported.
using Int8QuadTileFn = bool (*)(const uint8_t* const* rows, int64_t depth_quads,
                                const int8_t* packed, const int32_t* column_sums, int32_t sum_scale,
                                const int32_t* bias, int32_t* out, int64_t out_stride,
                                int rows_valid, int cols_valid);

// Two adjacent column blocks at once (j and j + 1: packed0 and packed1), where wider registers
// hold a whole block: column_sums, bias and out cover 2 * kTileCols columns and cols_valid counts
// over both (more than kTileCols). Otherwise as Int8QuadTileFn and Fp32TileFn, with the same
// results.
using Int8QuadTile2Fn = bool (*)(const uint8_t* const* rows, int64_t depth_quads,
                                 const int8_t* packed0, const int8_t* packed1,
                                 const int32_t* column_sums, int32_t sum_scale, const int32_t* bias,
                                 int32_t* out, int64_t out_stride, int rows_valid, int cols_valid);
using Fp32Tile2Fn = void (*)(const float* const* rows, int64_t depth, const float* packed0,
                             const float* packed1, const float* bias, float* out,
                             int64_t out_stride, int rows_valid, int cols_valid);

// FP32 tile: rows[r] points at `depth` floats; packed holds depth x kTileCols floats. Each output
// accumulates from 0 in depth order with fused multiply-adds, then adds bias[c].
using Fp32TileFn = void (*)(const float* const* rows, int64_t depth, const float* packed,
                            const float* bias, float* out, int64_t out_stride, int rows_valid,
                            int cols_valid);

// One depthwise INT8 output pixel (channel multiplier 1): for c < channels,
//   out[c] = bias[c] + sum over t < taps of (inputs[t][c] - input_zp) * weights[t][c]
// where weights hold (weight - weight_zp) as int16, padded to a multiple of kDepthwiseBlock.
// Returns true when adding the bias overflowed int32 (the tap sum itself cannot: taps is bounded).
using DepthwiseInt8Fn = bool (*)(const int8_t* const* inputs, const int16_t* const* weights,
                                 int taps, int64_t channels, int32_t input_zp, const int32_t* bias,
                                 int32_t* out);

// One depthwise FP32 output pixel: taps accumulate from 0 in order with fused multiply-adds, then
// the bias is added.
using DepthwiseFp32Fn = void (*)(const float* const* inputs, const float* const* weights, int taps,
                                 int64_t channels, const float* bias, float* out);

struct TileKernels {
  const char* name;
  Int8TileFn int8_tile;
  Fp32TileFn fp32_tile;
  DepthwiseInt8Fn depthwise_int8;
  DepthwiseFp32Fn depthwise_fp32;
  Int8QuadTileFn int8_quad_tile;    // nullptr where the instruction set has no u8 x s8 dot product
  Int8QuadTile2Fn int8_quad_tile2;  // nullptr where registers are narrower than a block
  Fp32Tile2Fn fp32_tile2;           // likewise
};

// The best table the running CPU supports, or nullptr when there is none or the optimised kernels
// are switched off (the reference kernels are then the only ones). The CPU is asked once per
// process.
const TileKernels* SelectTileKernels();

// Switches the optimised kernels off or back on for graphs bound from now on (benchmarks compare
// both in one process). On by default unless INFERD_CPU_KERNELS=reference is set.
void SetOptimizedKernelsEnabled(bool enabled);
// Whether graphs bound now should use the optimised kernels (see SetOptimizedKernelsEnabled); for
// the kernels that need no per-ISA table.
bool OptimizedKernelsEnabled();

// Per instruction set; nullptr when that set is not compiled in. Callers must check the CPU.
const TileKernels* Avx2TileKernels();
const TileKernels* Avx512VnniTileKernels();
const TileKernels* NeonTileKernels();

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_TILE_KERNELS_H_
