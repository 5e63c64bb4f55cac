#include "backends/cpu/kernels/optimized/matmul_optimized.h"

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "backends/cpu/kernels/optimized/column_blocks.h"
#include "backends/cpu/kernels/optimized/int8_row_forms.h"
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

// The tile kernels always add a bias; a matrix product has none (two blocks of it, for the
// two-block tiles).
constexpr int32_t kZeroInt[2 * kTileCols] = {};
constexpr float kZeroFloat[2 * kTileCols] = {};

}  // namespace

bool MatmulInt8Supported(const MatmulParams& params) { return params.depth <= kMaxInt8Depth; }

PackedInt8Matrix PackMatmulInt8B(const TileKernels& kernels, const MatmulParams& params,
                                 const int8_t* b, int32_t b_zp) {
  if (kernels.int8_quad_tile != nullptr && b_zp == 0) return PackInt8Quads(b, BLayout(params));
  return PackInt8(b, BLayout(params), b_zp);
}

PackedFp32Matrix PackMatmulFp32B(const MatmulParams& params, const float* b) {
  return PackFp32(b, BLayout(params));
}

namespace {

// Scratch per thread: B when packed per call (pack_bytes, at the start), the fused requantisation's
// tile, then kTileRows rows of A.
template <typename Form>
size_t MatmulScratchBytes(const Form& form, const MatmulParams& p, size_t pack_bytes,
                          const FusedRequantization* fused) {
  const size_t row_bytes = ScratchAlign(form.row_elements() * sizeof(typename Form::Row));
  const size_t tile_bytes =
      fused != nullptr ? ScratchAlign(kTileRows * p.columns * sizeof(int32_t)) : 0;
  return pack_bytes + tile_bytes + kTileRows * row_bytes;
}

// The INT8 product over either row form. `column_sums` (quads only): each batch's padded columns'
// weight sums. `parallel` is false when B lives in the calling thread's scratch (packed
// per call), which the pool's threads cannot see.
template <typename Form>
KernelStatus MatmulInt8Tiles(const Form& form, const MatmulParams& p,
                             PackedView<typename Form::Packed> view, const int32_t* column_sums,
                             size_t pack_bytes, bool parallel, const int8_t* a, int32_t* output,
                             const FusedRequantization* fused) {
  using Row = typename Form::Row;
  const size_t scratch_bytes = MatmulScratchBytes(form, p, pack_bytes, fused);
  const size_t row_bytes = ScratchAlign(form.row_elements() * sizeof(Row));
  const size_t tile_bytes =
      fused != nullptr ? ScratchAlign(kTileRows * p.columns * sizeof(int32_t)) : 0;
  const int64_t row_groups = (static_cast<int64_t>(p.rows) + kTileRows - 1) / kTileRows;
  const int64_t groups = p.batch * row_groups;
  std::atomic<bool> failed{false};
  const auto run = [&](int64_t first, int64_t last) {
    auto* scratch = static_cast<std::byte*>(ThreadScratch(scratch_bytes));
    auto* tile_out = reinterpret_cast<int32_t*>(scratch + pack_bytes);
    Row* row_buffers[kTileRows];
    for (int r = 0; r < kTileRows; ++r) {
      row_buffers[r] = reinterpret_cast<Row*>(scratch + pack_bytes + tile_bytes + r * row_bytes);
      // The depth's padding to whole steps (weights 0 there), never overwritten.
      std::fill(row_buffers[r] + p.depth, row_buffers[r] + form.row_elements(), Row{0});
    }
    bool task_failed = false;
    for (int64_t group = first; group < last; ++group) {
      const int64_t n = group / row_groups;
      const int64_t h0 = group % row_groups * kTileRows;
      const int rows_valid = static_cast<int>(std::min<int64_t>(kTileRows, p.rows - h0));
      const Row* rows[kTileRows];
      for (int r = 0; r < kTileRows; ++r) {
        if (r < rows_valid) {
          form.Convert(a + (n * p.rows + h0 + r) * p.depth, p.depth, row_buffers[r]);
          rows[r] = row_buffers[r];
        } else {
          rows[r] = row_buffers[0];
        }
      }
      const int64_t first_row = n * p.rows + h0;
      int32_t* out = fused != nullptr ? tile_out : output + first_row * p.columns;
      const int32_t* batch_sums =
          column_sums != nullptr ? column_sums + n * view.column_blocks * kTileCols : nullptr;
      task_failed |= Int8ColumnBlocks(form, rows, view, n, batch_sums, kZeroInt, 0, out, p.columns,
                                      rows_valid);
      if (fused != nullptr) {
        task_failed |= RequantizeRows(*fused, tile_out, first_row, rows_valid, p.columns);
      }
    }
    if (task_failed) failed.store(true, std::memory_order_relaxed);
  };
  if (parallel) {
    ParallelForRanges(groups, int64_t{kTileRows} * p.depth * p.columns, run);
  } else {
    run(0, groups);
  }
  return failed.load() ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

}  // namespace

KernelStatus MatmulInt8Optimized(const TileKernels& kernels, const MatmulParams& p,
                                 const PackedInt8Matrix* packed_b, const int8_t* a, const int8_t* b,
                                 int32_t* output, const FusedRequantization* fused) {
  if (packed_b != nullptr && packed_b->quad_form()) {
    return MatmulInt8Tiles(QuadRows(kernels, p.depth, p.a_zp), p, packed_b->quad_view(),
                           packed_b->column_sums.data(), 0, true, a, output, fused);
  }
  const PairRows form(kernels, p.depth, p.a_zp);
  if (packed_b != nullptr) {
    return MatmulInt8Tiles(form, p, packed_b->view(), nullptr, 0, true, a, output, fused);
  }
  // B packed at the start of the calling thread's scratch, asked for at its full size so the run
  // gets the same buffer back.
  const MatrixLayout layout = BLayout(p);
  const size_t pack_bytes = ScratchAlign(PackedInt8Elements(layout) * sizeof(int16_t));
  auto* dst = static_cast<int16_t*>(ThreadScratch(MatmulScratchBytes(form, p, pack_bytes, fused)));
  PackInt8(b, layout, p.b_zp, dst);
  return MatmulInt8Tiles(form, p, Int8View(dst, layout), nullptr, pack_bytes, false, a, output,
                         fused);
}

void MatmulFp32Optimized(const TileKernels& kernels, const MatmulParams& p,
                         const PackedFp32Matrix* packed_b, const float* a, const float* b,
                         float* output, const float* bias, const FusedClampFp32* clamp) {
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
          if (bias != nullptr) {
            Fp32ColumnBlocks(kernels, rows, p.depth, view, n, bias, kTileCols, out, p.columns,
                             rows_valid);
          } else {
            Fp32ColumnBlocks(kernels, rows, p.depth, view, n, kZeroFloat, 0, out, p.columns,
                             rows_valid);
          }
          if (clamp != nullptr) ClampFp32InPlace(out, rows_valid * p.columns, *clamp);
        }
      });
}

}  // namespace inferd::cpu::kernels::optimized
