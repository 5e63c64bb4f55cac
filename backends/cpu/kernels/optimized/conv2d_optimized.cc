#include "backends/cpu/kernels/optimized/conv2d_optimized.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>

#include "backends/cpu/kernels/optimized/column_blocks.h"
#include "backends/cpu/kernels/optimized/int8_row_forms.h"
#include "backends/cpu/kernels/optimized/parallel_tasks.h"
#include "backends/cpu/kernels/optimized/thread_scratch.h"

namespace inferd::cpu::kernels::optimized {
namespace {

int64_t Depth(const Conv2dParams& p) {
  return static_cast<int64_t>(p.kernel_height) * p.kernel_width * p.input_channels;
}

MatrixLayout WeightLayout(const Conv2dParams& p) {
  MatrixLayout layout;
  layout.depth = Depth(p);
  layout.columns = p.output_channels;
  layout.depth_stride = 1;
  layout.column_stride = layout.depth;
  return layout;
}

// An output pixel's coordinates, stepped through in order (no divisions per row).
struct Pixel {
  int64_t n = 0;
  int32_t oy = 0;
  int32_t ox = 0;
};

Pixel PixelAt(const Conv2dParams& p, int64_t m) {
  const int64_t pixels = static_cast<int64_t>(p.output_height) * p.output_width;
  return {m / pixels, static_cast<int32_t>((m % pixels) / p.output_width),
          static_cast<int32_t>(m % p.output_width)};
}

void Advance(const Conv2dParams& p, Pixel& pixel) {
  if (++pixel.ox < p.output_width) return;
  pixel.ox = 0;
  if (++pixel.oy < p.output_height) return;
  pixel.oy = 0;
  ++pixel.n;
}

// Writes the receptive field of output pixel `at` as `depth` values in the order (ky, kx, ic); taps
// in the padding get `pad` (0 after the zero point is taken off). copy(src, n, dst) converts n
// contiguous input values.
template <typename In, typename Row, typename Copy>
void GatherRow(const Conv2dParams& p, const In* input, const Pixel& at, Row pad, Copy copy,
               Row* row) {
  const int32_t iy = at.oy * p.stride_y - p.pad_top;
  const int32_t ix = at.ox * p.stride_x - p.pad_left;
  const int64_t ic = p.input_channels;
  const In* input_n = input + at.n * p.input_height * p.input_width * ic;
  for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
    const int32_t y = iy + ky * p.dilation_y;
    if (y < 0 || y >= p.input_height) {
      std::fill_n(row, p.kernel_width * ic, pad);
      row += p.kernel_width * ic;
      continue;
    }
    const In* src_row = input_n + static_cast<int64_t>(y) * p.input_width * ic;
    if (p.dilation_x == 1 && ix >= 0 && ix + p.kernel_width <= p.input_width) {
      // The whole row of taps is one contiguous run of the input.
      const int64_t run = static_cast<int64_t>(p.kernel_width) * ic;
      const In* src = src_row + static_cast<int64_t>(ix) * ic;
      copy(src, run, row);
      row += run;
      continue;
    }
    for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
      const int32_t x = ix + kx * p.dilation_x;
      if (x < 0 || x >= p.input_width) {
        std::fill_n(row, ic, pad);
      } else {
        const In* src = src_row + static_cast<int64_t>(x) * ic;
        copy(src, ic, row);
      }
      row += ic;
    }
  }
}

// Bias per output channel, padded with zeros to whole column blocks.
template <typename T>
void PadBias(const T* bias, int32_t bias_size, int64_t channels, int64_t padded, T* dst) {
  for (int64_t c = 0; c < padded; ++c) {
    dst[c] = c < channels ? bias[bias_size == 1 ? 0 : c] : T{0};
  }
}

}  // namespace

bool Conv2dInt8Supported(const Conv2dParams& params) { return Depth(params) <= kMaxInt8Depth; }

PackedInt8Matrix PackConv2dInt8Weights(const TileKernels& kernels, const Conv2dParams& params,
                                       const int8_t* weight, int32_t weight_zp) {
  if (kernels.int8_quad_tile != nullptr && weight_zp == 0) {
    return PackInt8Quads(weight, WeightLayout(params));
  }
  return PackInt8(weight, WeightLayout(params), weight_zp);
}

PackedFp32Matrix PackConv2dFp32Weights(const Conv2dParams& params, const float* weight) {
  return PackFp32(weight, WeightLayout(params));
}

namespace {

// The INT8 convolution over either form: kTileRows pixels gathered at a time, then a tile per
// column block. `column_sums` (quads only): each padded column's weight sum.
template <typename Form>
KernelStatus Conv2dInt8Tiles(const Form& form, const Conv2dParams& p,
                             PackedView<typename Form::Packed> w, const int32_t* column_sums,
                             const int8_t* input, const int32_t* bias, int32_t* output,
                             const FusedRequantization* fused) {
  using Row = typename Form::Row;
  const int64_t depth = Depth(p);
  const int64_t oc = p.output_channels;
  const int64_t padded_oc = w.column_blocks * kTileCols;
  const int64_t row_elements = form.row_elements();
  const auto convert = [&form](const int8_t* src, int64_t n, Row* dst) {
    form.Convert(src, n, dst);
  };
  const int64_t pixels = static_cast<int64_t>(p.batch) * p.output_height * p.output_width;
  const int64_t groups = (pixels + kTileRows - 1) / kTileRows;
  std::atomic<bool> failed{false};
  ParallelForRanges(groups, kTileRows * depth * oc, [&](int64_t first, int64_t last) {
    const size_t bias_bytes = ScratchAlign(padded_oc * sizeof(int32_t));
    const size_t row_bytes = ScratchAlign(row_elements * sizeof(Row));
    const size_t tile_bytes = fused != nullptr ? ScratchAlign(kTileRows * oc * sizeof(int32_t)) : 0;
    auto* scratch =
        static_cast<std::byte*>(ThreadScratch(bias_bytes + tile_bytes + kTileRows * row_bytes));
    auto* padded_bias = reinterpret_cast<int32_t*>(scratch);
    auto* tile_out = reinterpret_cast<int32_t*>(scratch + bias_bytes);
    PadBias(bias, p.bias_size, oc, padded_oc, padded_bias);
    Row* row_buffers[kTileRows];
    for (int r = 0; r < kTileRows; ++r) {
      row_buffers[r] = reinterpret_cast<Row*>(scratch + bias_bytes + tile_bytes + r * row_bytes);
      // The depth's padding to whole steps, never overwritten by a gather (the weights there are
      // 0; a defined value keeps the products defined).
      std::fill(row_buffers[r] + depth, row_buffers[r] + row_elements, Row{0});
    }
    bool task_failed = false;
    Pixel pixel = PixelAt(p, first * kTileRows);
    for (int64_t group = first; group < last; ++group) {
      const int64_t m0 = group * kTileRows;
      const int rows_valid = static_cast<int>(std::min<int64_t>(kTileRows, pixels - m0));
      const Row* rows[kTileRows];
      for (int r = 0; r < kTileRows; ++r) {
        if (r < rows_valid) {
          GatherRow(p, input, pixel, form.pad, convert, row_buffers[r]);
          Advance(p, pixel);
          rows[r] = row_buffers[r];
        } else {
          rows[r] = row_buffers[0];
        }
      }
      int32_t* out = fused != nullptr ? tile_out : output + m0 * oc;
      task_failed |= Int8ColumnBlocks(form, rows, w, 0, column_sums, padded_bias, kTileCols, out,
                                      oc, rows_valid);
      if (fused != nullptr) task_failed |= RequantizeRows(*fused, tile_out, m0, rows_valid, oc);
    }
    if (task_failed) failed.store(true, std::memory_order_relaxed);
  });
  return failed.load() ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

}  // namespace

KernelStatus Conv2dInt8Optimized(const TileKernels& kernels, const Conv2dParams& p,
                                 const PackedInt8Matrix& weights, const int8_t* input,
                                 const int32_t* bias, int32_t* output,
                                 const FusedRequantization* fused) {
  if (!weights.quad_form()) {
    return Conv2dInt8Tiles(PairRows(kernels, Depth(p), p.input_zp), p, weights.view(), nullptr,
                           input, bias, output, fused);
  }
  return Conv2dInt8Tiles(QuadRows(kernels, Depth(p), p.input_zp), p, weights.quad_view(),
                         weights.column_sums.data(), input, bias, output, fused);
}

void Conv2dFp32Optimized(const TileKernels& kernels, const Conv2dParams& p,
                         const PackedFp32Matrix& weights, const float* input, const float* bias,
                         float* output, const FusedClampFp32* clamp) {
  const int64_t depth = Depth(p);
  const int64_t oc = p.output_channels;
  const PackedView<float> w = weights.view();
  const int64_t padded_oc = w.column_blocks * kTileCols;
  // A 1x1 kernel without padding reads each pixel's channels where they are.
  const bool direct = p.kernel_height == 1 && p.kernel_width == 1 && p.pad_top == 0 &&
                      p.pad_left == 0 && p.pad_bottom == 0 && p.pad_right == 0;
  const auto convert = [](const float* src, int64_t n, float* dst) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
  };
  const int64_t pixels = static_cast<int64_t>(p.batch) * p.output_height * p.output_width;
  const int64_t groups = (pixels + kTileRows - 1) / kTileRows;
  ParallelForRanges(groups, kTileRows * depth * oc, [&](int64_t first, int64_t last) {
    const size_t bias_bytes = ScratchAlign(padded_oc * sizeof(float));
    const size_t row_bytes = ScratchAlign(depth * sizeof(float));
    auto* scratch = static_cast<std::byte*>(ThreadScratch(bias_bytes + kTileRows * row_bytes));
    auto* padded_bias = reinterpret_cast<float*>(scratch);
    PadBias(bias, p.bias_size, oc, padded_oc, padded_bias);
    float* row_buffers[kTileRows];
    for (int r = 0; r < kTileRows; ++r) {
      row_buffers[r] = reinterpret_cast<float*>(scratch + bias_bytes + r * row_bytes);
    }
    Pixel pixel = PixelAt(p, first * kTileRows);
    for (int64_t group = first; group < last; ++group) {
      const int64_t m0 = group * kTileRows;
      const int rows_valid = static_cast<int>(std::min<int64_t>(kTileRows, pixels - m0));
      const float* rows[kTileRows];
      for (int r = 0; r < kTileRows; ++r) {
        if (r >= rows_valid) {
          rows[r] = rows[0];
        } else if (direct) {
          const int64_t y = static_cast<int64_t>(pixel.oy) * p.stride_y;
          const int64_t x = static_cast<int64_t>(pixel.ox) * p.stride_x;
          rows[r] = input + ((pixel.n * p.input_height + y) * p.input_width + x) * p.input_channels;
        } else {
          GatherRow(p, input, pixel, 0.0f, convert, row_buffers[r]);
          rows[r] = row_buffers[r];
        }
        if (r < rows_valid) Advance(p, pixel);
      }
      float* out = output + m0 * oc;
      Fp32ColumnBlocks(kernels, rows, depth, w, 0, padded_bias, kTileCols, out, oc, rows_valid);
      if (clamp != nullptr) ClampFp32InPlace(out, rows_valid * oc, *clamp);
    }
  });
}

}  // namespace inferd::cpu::kernels::optimized
