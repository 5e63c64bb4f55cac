#include "backends/cpu/kernels/optimized/depthwise_conv2d_optimized.h"

#include <cstdint>

#include "backends/cpu/kernels/optimized/thread_scratch.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// Calls pixel(inputs, weights, taps, out) for every output pixel with the pointers of its valid
// taps in (ky, kx) order.
template <typename In, typename W, typename Out, typename Pixel>
void ForEachPixel(const DepthwiseConv2dParams& p, const In* input, const W* weights, Out* output,
                  Pixel pixel) {
  const int64_t channels = p.channels;
  const In* tap_inputs[kMaxDepthwiseTaps];
  const W* tap_weights[kMaxDepthwiseTaps];
  for (int32_t n = 0; n < p.batch; ++n) {
    const In* input_n = input + static_cast<int64_t>(n) * p.input_height * p.input_width * channels;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const int32_t iy = oy * p.stride_y - p.pad_top;
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const int32_t ix = ox * p.stride_x - p.pad_left;
        int taps = 0;
        for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
          const int32_t y = iy + ky * p.dilation_y;
          if (y < 0 || y >= p.input_height) continue;
          for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
            const int32_t x = ix + kx * p.dilation_x;
            if (x < 0 || x >= p.input_width) continue;
            tap_inputs[taps] = input_n + (static_cast<int64_t>(y) * p.input_width + x) * channels;
            tap_weights[taps] =
                weights + (static_cast<int64_t>(ky) * p.kernel_width + kx) * channels;
            ++taps;
          }
        }
        pixel(tap_inputs, tap_weights, taps, output);
        output += channels;
      }
    }
  }
}

template <typename T>
T* FullBias(const T* bias, int32_t bias_size, int64_t channels) {
  auto* full = static_cast<T*>(ThreadScratch(channels * sizeof(T)));
  for (int64_t c = 0; c < channels; ++c) full[c] = bias[bias_size == 1 ? 0 : c];
  return full;
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
                                          const int8_t* input, const int32_t* bias,
                                          int32_t* output) {
  const int32_t* full_bias = FullBias(bias, p.bias_size, p.channels);
  bool overflow = false;
  ForEachPixel(p, input, weights, output,
               [&](const int8_t* const* in, const int16_t* const* w, int taps, int32_t* out) {
                 overflow |=
                     kernels.depthwise_int8(in, w, taps, p.channels, p.input_zp, full_bias, out);
               });
  return overflow ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

void DepthwiseConv2dFp32Optimized(const TileKernels& kernels, const DepthwiseConv2dParams& p,
                                  const float* weights, const float* input, const float* bias,
                                  float* output) {
  const float* full_bias = FullBias(bias, p.bias_size, p.channels);
  ForEachPixel(p, input, weights, output,
               [&](const float* const* in, const float* const* w, int taps, float* out) {
                 kernels.depthwise_fp32(in, w, taps, p.channels, full_bias, out);
               });
}

}  // namespace inferd::cpu::kernels::optimized
