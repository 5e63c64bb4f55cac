#include "backends/cpu/kernels/optimized/matmul_optimized.h"

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "backends/cpu/kernels/optimized/centred_int8.h"
#include "backends/cpu/kernels/optimized/parallel_tasks.h"
#include "backends/cpu/kernels/optimized/thread_scratch.h"

namespace inferd::cpu::kernels::optimized {
namespace {

MatrixLayout BLayout(const MatmulParams& p) {
  MatrixLayout layout;
  layout.batches = p.batch;
  layout.depth = p.depth;
  layout.columns = p.columns;
  layout.batch_stride = static_cast<int64_t>(p.depth) * p.columns;
  layout.depth_stride = p.columns;
  layout.column_stride = 1;
  return layout;
}

// The tile kernels always add a bias; a matrix product has none.
constexpr int32_t kZeroInt[kTileCols] = {};
constexpr float kZeroFloat[kTileCols] = {};

}  // namespace

bool MatmulInt8Supported(const MatmulParams& params) { return params.depth <= kMaxInt8Depth; }

PackedInt8Matrix PackMatmulInt8B(const MatmulParams& params, const int8_t* b, int32_t b_zp) {
  return PackInt8(b, BLayout(params), b_zp);
}

PackedFp32Matrix PackMatmulFp32B(const MatmulParams& params, const float* b) {
  return PackFp32(b, BLayout(params));
}

KernelStatus MatmulInt8Optimized(const TileKernels& kernels, const MatmulParams& p,
                                 const PackedInt8Matrix* packed_b, const int8_t* a, const int8_t* b,
                                 int32_t* output, const FusedRequantization* fused) {
  const MatrixLayout layout = BLayout(p);
  const int64_t pairs = DepthPairs(p.depth);
  const size_t row_bytes = ScratchAlign(2 * pairs * sizeof(int16_t));
  const size_t pack_bytes =
      packed_b != nullptr ? 0 : ScratchAlign(PackedInt8Elements(layout) * sizeof(int16_t));
  const size_t tile_bytes =
      fused != nullptr ? ScratchAlign(kTileRows * p.columns * sizeof(int32_t)) : 0;
  const size_t scratch_bytes = pack_bytes + tile_bytes + kTileRows * row_bytes;
  PackedView<int16_t> view;
  if (packed_b != nullptr) {
    view = packed_b->view();
  } else {
    // Packed at the start of the calling thread's scratch, asked for at its full size so the
    // task below gets the same buffer back.
    auto* dst = static_cast<int16_t*>(ThreadScratch(scratch_bytes));
    PackInt8(b, layout, p.b_zp, dst);
    view = Int8View(dst, layout);
  }
  const int64_t row_groups = (static_cast<int64_t>(p.rows) + kTileRows - 1) / kTileRows;
  const int64_t groups = p.batch * row_groups;
  // The packed B lives in the calling thread's scratch when packed here, so only a B packed at
  // bind time lets the tasks run on the pool (whose threads have scratch of their own).
  std::atomic<bool> failed{false};
  const auto run = [&](int64_t first, int64_t last) {
    auto* scratch = static_cast<std::byte*>(ThreadScratch(scratch_bytes));
    auto* tile_out = reinterpret_cast<int32_t*>(scratch + pack_bytes);
    int16_t* row_buffers[kTileRows];
    for (int r = 0; r < kTileRows; ++r) {
      row_buffers[r] =
          reinterpret_cast<int16_t*>(scratch + pack_bytes + tile_bytes + r * row_bytes);
      row_buffers[r][2 * pairs - 1] = 0;
    }
    bool task_failed = false;
    for (int64_t group = first; group < last; ++group) {
      const int64_t n = group / row_groups;
      const int64_t h0 = group % row_groups * kTileRows;
      const int rows_valid = static_cast<int>(std::min<int64_t>(kTileRows, p.rows - h0));
      const int16_t* rows[kTileRows];
      for (int r = 0; r < kTileRows; ++r) {
        if (r < rows_valid) {
          const int8_t* src = a + (n * p.rows + h0 + r) * p.depth;
          CentreInt8(src, p.depth, static_cast<int16_t>(p.a_zp), row_buffers[r]);
          rows[r] = row_buffers[r];
        } else {
          rows[r] = row_buffers[0];
        }
      }
      const int64_t first_row = n * p.rows + h0;
      int32_t* out = fused != nullptr ? tile_out : output + first_row * p.columns;
      for (int64_t j = 0; j < view.column_blocks; ++j) {
        const int cols = static_cast<int>(std::min<int64_t>(kTileCols, p.columns - j * kTileCols));
        task_failed |= kernels.int8_tile(rows, pairs, view.block(n, j), kZeroInt,
                                         out + j * kTileCols, p.columns, rows_valid, cols);
      }
      if (fused != nullptr) {
        task_failed |= RequantizeRows(*fused, tile_out, first_row, rows_valid, p.columns);
      }
    }
    if (task_failed) failed.store(true, std::memory_order_relaxed);
  };
  if (packed_b == nullptr) {
    run(0, groups);
  } else {
    ParallelForRanges(groups, int64_t{kTileRows} * p.depth * p.columns, run);
  }
  return failed.load() ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

void MatmulFp32Optimized(const TileKernels& kernels, const MatmulParams& p,
                         const PackedFp32Matrix* packed_b, const float* a, const float* b,
                         float* output) {
  const MatrixLayout layout = BLayout(p);
  PackedView<float> view;
  if (packed_b != nullptr) {
    view = packed_b->view();
  } else {
    auto* dst = static_cast<float*>(ThreadScratch(PackedFp32Elements(layout) * sizeof(float)));
    PackFp32(b, layout, dst);
    view = Fp32View(dst, layout);
  }
  const int64_t row_groups = (static_cast<int64_t>(p.rows) + kTileRows - 1) / kTileRows;
  const int64_t groups = p.batch * row_groups;
  // Workers never touch the calling thread's scratch, so a B packed here is safe to share.
  ParallelForRanges(
      groups, int64_t{kTileRows} * p.depth * p.columns, [&](int64_t first, int64_t last) {
        for (int64_t group = first; group < last; ++group) {
          const int64_t n = group / row_groups;
          const int64_t h0 = group % row_groups * kTileRows;
          const int rows_valid = static_cast<int>(std::min<int64_t>(kTileRows, p.rows - h0));
          const float* rows[kTileRows];
          for (int r = 0; r < kTileRows; ++r) {
            rows[r] = a + (n * p.rows + h0 + (r < rows_valid ? r : 0)) * p.depth;
          }
          float* out = output + (n * p.rows + h0) * p.columns;
          for (int64_t j = 0; j < view.column_blocks; ++j) {
            const int cols =
                static_cast<int>(std::min<int64_t>(kTileCols, p.columns - j * kTileCols));
            kernels.fp32_tile(rows, p.depth, view.block(n, j), kZeroFloat, out + j * kTileCols,
                              p.columns, rows_valid, cols);
          }
        }
      });
}

}  // namespace inferd::cpu::kernels::optimized
