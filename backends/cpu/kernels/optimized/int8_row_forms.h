// The two forms in which the INT8 tile kernels read a row of activations (tile_kernels.h), for the
// drivers (CONV2D, MATMUL) that are written once over both:
//   PairRows: (x - zp) widened to int16, in depth pairs, against weights packed in pairs;
//   QuadRows: x + 128 as uint8, in depth quads, against int8 weights packed in quads (zero point
//   0),
//             the tile's accumulators starting at -(128 + zp) x each column's weight sum.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_INT8_ROW_FORMS_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_INT8_ROW_FORMS_H_

#include <cstdint>

#include "backends/cpu/kernels/optimized/centred_int8.h"
#include "backends/cpu/kernels/optimized/packed_matrix.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu::kernels::optimized {

struct PairRows {
  using Row = int16_t;
  using Packed = int16_t;
  int64_t steps;  // depth pairs
  int16_t pad;    // a padded convolution tap: x = zp, centred
  int16_t zero_point;
  const TileKernels* kernels;
  PairRows(const TileKernels& k, int64_t depth, int32_t zp)
      : steps(DepthPairs(depth)), pad(0), zero_point(static_cast<int16_t>(zp)), kernels(&k) {}
  int64_t row_elements() const { return 2 * steps; }
  void Convert(const int8_t* src, int64_t n, int16_t* dst) const {
    CentreInt8(src, n, zero_point, dst);
  }
  bool Tile(const Row* const* rows, const Packed* packed, const int32_t* /*column_sums*/,
            const int32_t* bias, int32_t* out, int64_t stride, int rows_valid, int cols) const {
    return kernels->int8_tile(rows, steps, packed, bias, out, stride, rows_valid, cols);
  }
  bool has_tile2() const { return false; }
  bool Tile2(const Row* const*, const Packed*, const Packed*, const int32_t*, const int32_t*,
             int32_t*, int64_t, int, int) const {
    return false;  // never called: has_tile2() is false
  }
};

struct QuadRows {
  using Row = uint8_t;
  using Packed = int8_t;
  int64_t steps;      // depth quads
  uint8_t pad;        // a padded convolution tap: x = zp, offset by 128
  int32_t sum_scale;  // -(128 + zp): what each column's weight sum is multiplied by to start
  const TileKernels* kernels;
  QuadRows(const TileKernels& k, int64_t depth, int32_t zp)
      : steps(DepthQuads(depth)),
        pad(static_cast<uint8_t>(zp + 128)),
        sum_scale(-(128 + zp)),
        kernels(&k) {}
  int64_t row_elements() const { return 4 * steps; }
  void Convert(const int8_t* src, int64_t n, uint8_t* dst) const { OffsetInt8(src, n, dst); }
  bool Tile(const Row* const* rows, const Packed* packed, const int32_t* column_sums,
            const int32_t* bias, int32_t* out, int64_t stride, int rows_valid, int cols) const {
    return kernels->int8_quad_tile(rows, steps, packed, column_sums, sum_scale, bias, out, stride,
                                   rows_valid, cols);
  }
  bool has_tile2() const { return kernels->int8_quad_tile2 != nullptr; }
  bool Tile2(const Row* const* rows, const Packed* packed0, const Packed* packed1,
             const int32_t* column_sums, const int32_t* bias, int32_t* out, int64_t stride,
             int rows_valid, int cols) const {
    return kernels->int8_quad_tile2(rows, steps, packed0, packed1, column_sums, sum_scale, bias,
                                    out, stride, rows_valid, cols);
  }
};

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_INT8_ROW_FORMS_H_
