// One group of tile rows against every column block of a packed matrix: the loop the CONV2D and
// MATMUL drivers share, taking two blocks per call where the kernel table has a two-block tile
// (512-bit registers hold a whole block) and the group has more than one row (a lone row would
// spend the wider tile's other rows for nothing).
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_COLUMN_BLOCKS_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_COLUMN_BLOCKS_H_

#include <algorithm>
#include <cstdint>

#include "backends/cpu/kernels/optimized/packed_matrix.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu::kernels::optimized {

// INT8, over either row form (int8_row_forms.h). `column_sums` (quads only) and `bias` point at
// the group's column 0; bias_step is kTileCols for a bias per column, 0 for one block of bias
// reused (it must then hold 2 * kTileCols values). Returns true when a bias addition overflowed.
template <typename Form>
bool Int8ColumnBlocks(const Form& form, const typename Form::Row* const* rows,
                      PackedView<typename Form::Packed> w, int64_t batch,
                      const int32_t* column_sums, const int32_t* bias, int64_t bias_step,
                      int32_t* out, int64_t columns, int rows_valid) {
  bool overflow = false;
  const bool pairs_of_blocks = form.has_tile2() && rows_valid > 1;
  for (int64_t j = 0; j < w.column_blocks;) {
    const int64_t first_column = j * kTileCols;
    const int32_t* block_sums = column_sums != nullptr ? column_sums + first_column : nullptr;
    const int32_t* block_bias = bias + j * bias_step;
    if (pairs_of_blocks && j + 1 < w.column_blocks) {
      const int cols = static_cast<int>(std::min<int64_t>(2 * kTileCols, columns - first_column));
      overflow |= form.Tile2(rows, w.block(batch, j), w.block(batch, j + 1), block_sums, block_bias,
                             out + first_column, columns, rows_valid, cols);
      j += 2;
    } else {
      const int cols = static_cast<int>(std::min<int64_t>(kTileCols, columns - first_column));
      overflow |= form.Tile(rows, w.block(batch, j), block_sums, block_bias, out + first_column,
                            columns, rows_valid, cols);
      j += 1;
    }
  }
  return overflow;
}

// FP32: rows[r] hold `depth` floats; bias and bias_step as above.
inline void Fp32ColumnBlocks(const TileKernels& kernels, const float* const* rows, int64_t depth,
                             PackedView<float> w, int64_t batch, const float* bias,
                             int64_t bias_step, float* out, int64_t columns, int rows_valid) {
  const bool pairs_of_blocks = kernels.fp32_tile2 != nullptr && rows_valid > 1;
  for (int64_t j = 0; j < w.column_blocks;) {
    const int64_t first_column = j * kTileCols;
    if (pairs_of_blocks && j + 1 < w.column_blocks) {
      const int cols = static_cast<int>(std::min<int64_t>(2 * kTileCols, columns - first_column));
      kernels.fp32_tile2(rows, depth, w.block(batch, j), w.block(batch, j + 1),
                         bias + j * bias_step, out + first_column, columns, rows_valid, cols);
      j += 2;
    } else {
      const int cols = static_cast<int>(std::min<int64_t>(kTileCols, columns - first_column));
      kernels.fp32_tile(rows, depth, w.block(batch, j), bias + j * bias_step, out + first_column,
                        columns, rows_valid, cols);
      j += 1;
    }
  }
}

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_COLUMN_BLOCKS_H_
