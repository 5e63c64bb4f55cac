#include "backends/cpu/kernels/optimized/depthwise_conv2d_optimized.h"

#include <atomic>
#include <cstdint>

#include "backends/cpu/kernels/optimized/parallel_tasks.h"
#include "backends/cpu/kernels/optimized/thread_scratch.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// Calls pixel(inputs, weights, taps, out) for every output pixel of output rows [first, last)
// (flattened n, oy) with the pointers of its valid taps in (ky, kx) order, then row_done(row) after
// each row. The rows of taps inside the input are found once per output row; along a row, a pixel
// whose taps all lie inside the input in x has its predecessor's taps moved by one stride when
// that one's did too (the usual case), so the per-pixel set-up is one add per tap.
template <typename In, typename W, typename Out, typename Pixel, typename RowDone>
void ForEachPixel(const DepthwiseConv2dParams& p, const In* input, const W* weights, Out* output,
                  int64_t first, int64_t last, Pixel pixel, RowDone row_done) {
  const int64_t channels = p.channels;
  const int64_t x_step = static_cast<int64_t>(p.stride_x) * channels;
  const int32_t kernel_span_x = (p.kernel_width - 1) * p.dilation_x;
  const In* tap_inputs[kMaxDepthwiseTaps];
  const W* tap_weights[kMaxDepthwiseTaps];
  int32_t valid_ky[kMaxDepthwiseTaps];
  for (int64_t row = first; row < last; ++row) {
    const int64_t n = row / p.output_height;
    const int32_t oy = static_cast<int32_t>(row % p.output_height);
    const In* input_n = input + n * p.input_height * p.input_width * channels;
    const int32_t iy = oy * p.stride_y - p.pad_top;
    int rows_valid = 0;
    for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
      const int32_t y = iy + ky * p.dilation_y;
      if (y >= 0 && y < p.input_height) valid_ky[rows_valid++] = ky;
    }
    Out* out = output;
    bool previous_interior = false;
    int taps = 0;
    for (int32_t ox = 0; ox < p.output_width; ++ox) {
      const int32_t ix = ox * p.stride_x - p.pad_left;
      const bool interior = ix >= 0 && ix + kernel_span_x < p.input_width;
      if (interior && previous_interior) {
        for (int t = 0; t < taps; ++t) tap_inputs[t] += x_step;
      } else {
        taps = 0;
        for (int r = 0; r < rows_valid; ++r) {
          const int32_t ky = valid_ky[r];
          const int64_t y = iy + ky * p.dilation_y;
          for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
            const int32_t x = ix + kx * p.dilation_x;
            if (x < 0 || x >= p.input_width) continue;
            tap_inputs[taps] = input_n + (y * p.input_width + x) * channels;
            tap_weights[taps] =
                weights + (static_cast<int64_t>(ky) * p.kernel_width + kx) * channels;
            ++taps;
          }
        }
      }
      previous_interior = interior;
      pixel(tap_inputs, tap_weights, taps, row, out);
      out += channels;
    }
    row_done(row);
  }
}

template <typename T>
void FillBias(const T* bias, int32_t bias_size, int64_t channels, T* full) {
  for (int64_t c = 0; c < channels; ++c) full[c] = bias[bias_size == 1 ? 0 : c];
}

}  // namespace

bool DepthwiseConv2dSupported(const DepthwiseConv2dParams& params) {
  return params.multiplier == 1 &&
         static_cast<int64_t>(params.kernel_height) * params.kernel_width <= kMaxDepthwiseTaps;
}

std::vector<int16_t> PackDepthwiseInt8Weights(const DepthwiseConv2dParams& params,
                                              const int8_t* weight, int32_t weight_zp) {
  const int64_t count =
      static_cast<int64_t>(params.kernel_height) * params.kernel_width * params.channels;
  std::vector<int16_t> packed(count);
  for (int64_t i = 0; i < count; ++i) packed[i] = static_cast<int16_t>(weight[i] - weight_zp);
  return packed;
}

KernelStatus DepthwiseConv2dInt8Optimized(const TileKernels& kernels,
                                          const DepthwiseConv2dParams& p, const int16_t* weights,
                                          const int8_t* input, const int32_t* bias, int32_t* output,
                                          const FusedRequantization* fused) {
  const int64_t rows = static_cast<int64_t>(p.batch) * p.output_height;
  const int64_t row_elements = static_cast<int64_t>(p.output_width) * p.channels;
  const int64_t work_per_row =
      row_elements * static_cast<int64_t>(p.kernel_height) * p.kernel_width;
  std::atomic<bool> failed{false};
  ParallelForRanges(rows, work_per_row, [&](int64_t first, int64_t last) {
    // The bias once per channel, and (fused) one output row of accumulators.
    const size_t bias_bytes = ScratchAlign(p.channels * sizeof(int32_t));
    auto* scratch = static_cast<std::byte*>(
        ThreadScratch(bias_bytes + (fused != nullptr ? row_elements * sizeof(int32_t) : 0)));
    auto* full_bias = reinterpret_cast<int32_t*>(scratch);
    auto* row_buffer = reinterpret_cast<int32_t*>(scratch + bias_bytes);
    FillBias(bias, p.bias_size, p.channels, full_bias);
    bool task_failed = false;
    ForEachPixel(
        p, input, weights, row_buffer, first, last,
        [&](const int8_t* const* in, const int16_t* const* w, int taps, int64_t row, int32_t* out) {
          if (fused == nullptr) out = output + row * row_elements + (out - row_buffer);
          task_failed |=
              kernels.depthwise_int8(in, w, taps, p.channels, p.input_zp, full_bias, out);
        },
        [&](int64_t row) {
          if (fused != nullptr) {
            task_failed |= RequantizeRows(*fused, row_buffer, row * p.output_width, p.output_width,
                                          p.channels);
          }
        });
    if (task_failed) failed.store(true, std::memory_order_relaxed);
  });
  return failed.load() ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

void DepthwiseConv2dFp32Optimized(const TileKernels& kernels, const DepthwiseConv2dParams& p,
                                  const float* weights, const float* input, const float* bias,
                                  float* output, const FusedClampFp32* clamp) {
  const int64_t rows = static_cast<int64_t>(p.batch) * p.output_height;
  const int64_t row_elements = static_cast<int64_t>(p.output_width) * p.channels;
  const int64_t work_per_row =
      row_elements * static_cast<int64_t>(p.kernel_height) * p.kernel_width;
  ParallelForRanges(rows, work_per_row, [&](int64_t first, int64_t last) {
    auto* full_bias = static_cast<float*>(ThreadScratch(p.channels * sizeof(float)));
    FillBias(bias, p.bias_size, p.channels, full_bias);
    ForEachPixel(
        p, input, weights, output, first, last,
        [&](const float* const* in, const float* const* w, int taps, int64_t row, float* out) {
          float* pixel = output + row * row_elements + (out - output);
          kernels.depthwise_fp32(in, w, taps, p.channels, full_bias, pixel);
          if (clamp != nullptr) ClampFp32InPlace(pixel, p.channels, *clamp);
        },
        [](int64_t) {});
  });
}

}  // namespace inferd::cpu::kernels::optimized
