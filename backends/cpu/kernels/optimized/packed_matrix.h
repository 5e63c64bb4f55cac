// Weights laid out for the tile kernels: column blocks of kTileCols, each holding the whole depth
// (INT8: pairs of depth steps interleaved per column, as vpmaddwd / ld2 want them; FP32: one row of
// kTileCols per depth step). Packed once when a graph is bound, or at run time for a MATMUL whose
// right-hand operand is not a constant.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PACKED_MATRIX_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PACKED_MATRIX_H_

#include <cstdint>
#include <vector>

#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu::kernels::optimized {

// Where element (batch b, depth k, column n) of a source tensor is:
// src[b * batch_stride + k * depth_stride + n * column_stride].
struct MatrixLayout {
  int64_t batches = 1;
  int64_t depth = 1;
  int64_t columns = 1;
  int64_t batch_stride = 0;
  int64_t depth_stride = 0;
  int64_t column_stride = 0;
};

// Largest dot-product depth for which every int32 partial sum of (x - zp_x) * (w - zp_w), each at
// most 255 * 255 in magnitude, is exact: 33025 * 65025 < 2^31.
inline constexpr int64_t kMaxInt8Depth = 33025;

inline int64_t ColumnBlocks(int64_t columns) { return (columns + kTileCols - 1) / kTileCols; }
inline int64_t DepthPairs(int64_t depth) { return (depth + 1) / 2; }
inline int64_t DepthQuads(int64_t depth) { return (depth + 3) / 4; }

// int16 elements PackInt8 writes for `layout`.
inline int64_t PackedInt8Elements(const MatrixLayout& layout) {
  return layout.batches * ColumnBlocks(layout.columns) * DepthPairs(layout.depth) * 2 * kTileCols;
}
// float elements PackFp32 writes for `layout`.
inline int64_t PackedFp32Elements(const MatrixLayout& layout) {
  return layout.batches * ColumnBlocks(layout.columns) * layout.depth * kTileCols;
}

// Writes (value - zero_point) as int16; padding (odd depth, partial last block) is 0.
void PackInt8(const int8_t* src, const MatrixLayout& layout, int32_t zero_point, int16_t* dst);
void PackFp32(const float* src, const MatrixLayout& layout, float* dst);

// A packed matrix wherever it lives; block(b, j) is column block j of batch b.
template <typename T>
struct PackedView {
  const T* data = nullptr;
  int64_t block_elements = 0;  // per column block
  int64_t column_blocks = 0;
  const T* block(int64_t batch, int64_t j) const {
    return data + (batch * column_blocks + j) * block_elements;
  }
};

inline PackedView<int16_t> Int8View(const int16_t* data, const MatrixLayout& layout) {
  return {data, DepthPairs(layout.depth) * 2 * kTileCols, ColumnBlocks(layout.columns)};
}
inline PackedView<float> Fp32View(const float* data, const MatrixLayout& layout) {
  return {data, layout.depth * kTileCols, ColumnBlocks(layout.columns)};
}

// Owning forms, made when a graph is bound. An INT8 matrix is in one of two forms: pairs of
// (weight - zero point) as int16 (`data`, for Int8TileFn), or, when the weights' zero point is 0
// and the CPU has a u8 x s8 dot product, the int8 weights in quads (`quads`, for Int8QuadTileFn,
// half the bytes) with each column's sum.
struct PackedInt8Matrix {
  MatrixLayout layout;
  std::vector<int16_t> data;
  std::vector<int8_t> quads;
  std::vector<int32_t> column_sums;  // quad form: per column, padded to whole blocks with 0
  bool quad_form() const { return !quads.empty(); }
  PackedView<int16_t> view() const { return Int8View(data.data(), layout); }
  PackedView<int8_t> quad_view() const {
    return {quads.data(), DepthQuads(layout.depth) * 4 * kTileCols, ColumnBlocks(layout.columns)};
  }
};
struct PackedFp32Matrix {
  MatrixLayout layout;
  std::vector<float> data;
  PackedView<float> view() const { return Fp32View(data.data(), layout); }
};

PackedInt8Matrix PackInt8(const int8_t* src, const MatrixLayout& layout, int32_t zero_point);
// The quad form of weights whose zero point is 0: per column block, depth quads x kTileCols x 4
// int8 values, zeros beyond the depth and the columns.
PackedInt8Matrix PackInt8Quads(const int8_t* src, const MatrixLayout& layout);
PackedFp32Matrix PackFp32(const float* src, const MatrixLayout& layout);

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_PACKED_MATRIX_H_
