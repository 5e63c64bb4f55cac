#include "backends/cpu/kernels/optimized/packed_matrix.h"

#include <cstddef>

namespace inferd::cpu::kernels::optimized {

namespace {

// Walks an INT8 matrix in a packed order: per batch and column block, `kGroup` consecutive depth
// steps of each of the kTileCols columns. visit(batch, block, column_in_block, value, inside) is
// called once per packed element; outside the matrix (depth or columns padding) value is 0 and
// inside false.
template <int64_t kGroup, typename Visit>
void VisitInGroups(const int8_t* src, const MatrixLayout& l, Visit visit) {
  const int64_t groups = (l.depth + kGroup - 1) / kGroup;
  const int64_t blocks = ColumnBlocks(l.columns);
  for (int64_t b = 0; b < l.batches; ++b) {
    for (int64_t j = 0; j < blocks; ++j) {
      for (int64_t g = 0; g < groups; ++g) {
        for (int64_t c = 0; c < kTileCols; ++c) {
          const int64_t n = j * kTileCols + c;
          for (int64_t i = 0; i < kGroup; ++i) {
            const int64_t k = kGroup * g + i;
            const bool inside = n < l.columns && k < l.depth;
            visit(b, j, c,
                  inside ? src[b * l.batch_stride + k * l.depth_stride + n * l.column_stride]
                         : int8_t{0},
                  inside);
          }
        }
      }
    }
  }
}

}  // namespace

void PackInt8(const int8_t* src, const MatrixLayout& l, int32_t zero_point, int16_t* dst) {
  VisitInGroups<2>(src, l, [&](int64_t, int64_t, int64_t, int8_t value, bool inside) {
    *dst++ = inside ? static_cast<int16_t>(value - zero_point) : int16_t{0};
  });
}

void PackFp32(const float* src, const MatrixLayout& l, float* dst) {
  const int64_t blocks = ColumnBlocks(l.columns);
  for (int64_t b = 0; b < l.batches; ++b) {
    for (int64_t j = 0; j < blocks; ++j) {
      for (int64_t k = 0; k < l.depth; ++k) {
        for (int64_t c = 0; c < kTileCols; ++c) {
          const int64_t n = j * kTileCols + c;
          *dst++ = n < l.columns
                       ? src[b * l.batch_stride + k * l.depth_stride + n * l.column_stride]
                       : 0.0f;
        }
      }
    }
  }
}

PackedInt8Matrix PackInt8(const int8_t* src, const MatrixLayout& layout, int32_t zero_point) {
  PackedInt8Matrix packed;
  packed.layout = layout;
  packed.data.resize(static_cast<size_t>(PackedInt8Elements(layout)));
  PackInt8(src, layout, zero_point, packed.data.data());
  return packed;
}

PackedInt8Matrix PackInt8Quads(const int8_t* src, const MatrixLayout& l) {
  const int64_t blocks = ColumnBlocks(l.columns);
  PackedInt8Matrix packed;
  packed.layout = l;
  packed.quads.resize(
      static_cast<size_t>(l.batches * blocks * DepthQuads(l.depth) * 4 * kTileCols));
  packed.column_sums.assign(static_cast<size_t>(l.batches * blocks * kTileCols), 0);
  int8_t* dst = packed.quads.data();
  VisitInGroups<4>(src, l, [&](int64_t b, int64_t j, int64_t c, int8_t value, bool) {
    packed.column_sums[static_cast<size_t>((b * blocks + j) * kTileCols + c)] += value;
    *dst++ = value;
  });
  return packed;
}

PackedFp32Matrix PackFp32(const float* src, const MatrixLayout& layout) {
  PackedFp32Matrix packed{layout, std::vector<float>(PackedFp32Elements(layout))};
  PackFp32(src, layout, packed.data.data());
  return packed;
}

}  // namespace inferd::cpu::kernels::optimized
