#include "backends/cpu/kernels/optimized/packed_matrix.h"

namespace inferd::cpu::kernels::optimized {

void PackInt8(const int8_t* src, const MatrixLayout& l, int32_t zero_point, int16_t* dst) {
  const int64_t pairs = DepthPairs(l.depth);
  const int64_t blocks = ColumnBlocks(l.columns);
  for (int64_t b = 0; b < l.batches; ++b) {
    for (int64_t j = 0; j < blocks; ++j) {
      for (int64_t kp = 0; kp < pairs; ++kp) {
        for (int64_t c = 0; c < kTileCols; ++c) {
          const int64_t n = j * kTileCols + c;
          for (int64_t half = 0; half < 2; ++half) {
            const int64_t k = 2 * kp + half;
            int16_t value = 0;
            if (n < l.columns && k < l.depth) {
              value = static_cast<int16_t>(
                  src[b * l.batch_stride + k * l.depth_stride + n * l.column_stride] - zero_point);
            }
            *dst++ = value;
          }
        }
      }
    }
  }
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
  PackedInt8Matrix packed{layout, std::vector<int16_t>(PackedInt8Elements(layout))};
  PackInt8(src, layout, zero_point, packed.data.data());
  return packed;
}

PackedFp32Matrix PackFp32(const float* src, const MatrixLayout& layout) {
  PackedFp32Matrix packed{layout, std::vector<float>(PackedFp32Elements(layout))};
  PackFp32(src, layout, packed.data.data());
  return packed;
}

}  // namespace inferd::cpu::kernels::optimized
