#include "backends/cpu/kernels/optimized/pooling_optimized.h"

#include <algorithm>
#include <cstddef>
#include <limits>

#include "backends/cpu/kernels/optimized/vector_clones.h"
#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// Channels summed per pass of AVG_POOL2D: the accumulators live on the stack, so nothing is
// allocated per inference.
constexpr int32_t kChannelBlock = 512;

// The part of output (oy, ox)'s window that lies inside the input: [y0, y1) x [x0, x1).
struct Window {
  int32_t y0, y1, x0, x1;
};

Window WindowOf(const Pool2dParams& p, int32_t oy, int32_t ox) {
  const int32_t iy = oy * p.stride_y - p.pad_top;
  const int32_t ix = ox * p.stride_x - p.pad_left;
  return Window{std::max(iy, 0), std::min(iy + p.kernel_height, p.input_height), std::max(ix, 0),
                std::min(ix + p.kernel_width, p.input_width)};
}

// Calls visit(window, input image, output pixel) for every output pixel in order.
template <typename T, typename Visit>
void ForEachOutputPixel(const Pool2dParams& p, const T* input, T* output, Visit&& visit) {
  const size_t image = static_cast<size_t>(p.input_height) * p.input_width * p.channels;
  T* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const T* in = input + n * image;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        visit(WindowOf(p, oy, ox), in, out);
        out += p.channels;
      }
    }
  }
}

inline const void* Pixel(const Pool2dParams& p, const void* image, size_t element, int32_t y,
                         int32_t x) {
  return static_cast<const char*>(image) +
         ((static_cast<size_t>(y) * p.input_width + x) * p.channels) * element;
}

INFERD_VECTOR_CLONES void MaxRowInt8(int8_t* __restrict acc, const int8_t* __restrict row,
                                     int32_t n) {
  for (int32_t c = 0; c < n; ++c) acc[c] = row[c] > acc[c] ? row[c] : acc[c];
}

INFERD_VECTOR_CLONES void MaxRowInt16(int16_t* __restrict acc, const int16_t* __restrict row,
                                      int32_t n) {
  for (int32_t c = 0; c < n; ++c) acc[c] = row[c] > acc[c] ? row[c] : acc[c];
}

// ApplyMaxFp(acc, v, kPropagate) as selects: a NaN input gives the canonical NaN, a NaN
// accumulator stays (v > NaN is false), and of two equal values (±0) the accumulator wins.
INFERD_VECTOR_CLONES void MaxRowFp32Propagate(float* __restrict acc, const float* __restrict row,
                                              int32_t n) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int32_t c = 0; c < n; ++c) {
    const float v = row[c];
    const float a = acc[c];
    acc[c] = v != v ? nan : (v > a ? v : a);
  }
}

// ApplyMaxFp(acc, v, kIgnore): a NaN accumulator takes v, a NaN v leaves the accumulator.
INFERD_VECTOR_CLONES void MaxRowFp32Ignore(float* __restrict acc, const float* __restrict row,
                                           int32_t n) {
  for (int32_t c = 0; c < n; ++c) {
    const float v = row[c];
    const float a = acc[c];
    acc[c] = a != a ? v : (v != v ? a : (v > a ? v : a));
  }
}

INFERD_VECTOR_CLONES void SumRowInt8(int32_t* __restrict acc, const int8_t* __restrict row,
                                     int32_t n) {
  for (int32_t c = 0; c < n; ++c) acc[c] += row[c];
}

INFERD_VECTOR_CLONES void SumRowFp32(float* __restrict acc, const float* __restrict row,
                                     int32_t n) {
  for (int32_t c = 0; c < n; ++c) acc[c] += row[c];
}

template <typename T, typename Row>
void MaxPool(const Pool2dParams& p, const T* input, T* output, T initial, Row row) {
  ForEachOutputPixel(p, input, output, [&](const Window& w, const T* in, T* out) {
    std::fill(out, out + p.channels, initial);
    for (int32_t y = w.y0; y < w.y1; ++y) {
      for (int32_t x = w.x0; x < w.x1; ++x) {
        row(out, static_cast<const T*>(Pixel(p, in, sizeof(T), y, x)), p.channels);
      }
    }
  });
}

}  // namespace

void MaxPool2dInt8(const Pool2dParams& params, const int8_t* input, int8_t* output) {
  MaxPool(params, input, output, std::numeric_limits<int8_t>::min(), MaxRowInt8);
}

void MaxPool2dInt16(const Pool2dParams& params, const int16_t* input, int16_t* output) {
  MaxPool(params, input, output, std::numeric_limits<int16_t>::min(), MaxRowInt16);
}

void MaxPool2dFp32(const Pool2dParams& params, const float* input, float* output,
                   NanMode nan_mode) {
  if (nan_mode == NanMode::kIgnore) {
    MaxPool(params, input, output, std::numeric_limits<float>::quiet_NaN(), MaxRowFp32Ignore);
  } else {
    MaxPool(params, input, output, -std::numeric_limits<float>::infinity(), MaxRowFp32Propagate);
  }
}

bool AvgPool2dInt8Supported(const Pool2dParams& params) {
  // |value - input_zp| <= 255 for int8 values and zero points, so a window of fewer than 2^23
  // elements keeps every partial sum, and the zero point's share, inside int32.
  return static_cast<int64_t>(params.kernel_height) * params.kernel_width < (int64_t{1} << 23);
}

KernelStatus AvgPool2dInt8(const Pool2dParams& params, const int8_t* input, int8_t* output) {
  bool unpredictable = false;
  const int32_t input_zp = params.input_zp;
  const int32_t output_zp = params.output_zp;
  ForEachOutputPixel(params, input, output, [&](const Window& w, const int8_t* in, int8_t* out) {
    const auto count = static_cast<uint32_t>((w.y1 - w.y0) * (w.x1 - w.x0));
    const ScaleFactor scale = ReciprocalScale(count);
    const int32_t zero_share = static_cast<int32_t>(count) * input_zp;
    for (int32_t c0 = 0; c0 < params.channels; c0 += kChannelBlock) {
      const int32_t n = std::min(kChannelBlock, params.channels - c0);
      int32_t acc[kChannelBlock] = {};
      for (int32_t y = w.y0; y < w.y1; ++y) {
        for (int32_t x = w.x0; x < w.x1; ++x) {
          SumRowInt8(acc, static_cast<const int8_t*>(Pixel(params, in, 1, y, x)) + c0, n);
        }
      }
      for (int32_t c = 0; c < n; ++c) {
        // Sum of (value - input_zp), as the reference accumulates it.
        const int32_t sum = acc[c] - zero_share;
        int64_t result = ApplyScale32(sum, scale.multiplier, scale.shift,
                                      /*double_round=*/false, unpredictable);
        result += output_zp;
        out[c0 + c] = static_cast<int8_t>(ClipS(result, INT8_MIN, INT8_MAX));
      }
    }
  });
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

void AvgPool2dFp32(const Pool2dParams& params, const float* input, float* output) {
  ForEachOutputPixel(params, input, output, [&](const Window& w, const float* in, float* out) {
    const auto count = static_cast<float>((w.y1 - w.y0) * (w.x1 - w.x0));
    // Summed in the reference's order (rows outer, columns inner), one channel per lane.
    std::fill(out, out + params.channels, 0.0f);
    for (int32_t y = w.y0; y < w.y1; ++y) {
      for (int32_t x = w.x0; x < w.x1; ++x) {
        SumRowFp32(out, static_cast<const float*>(Pixel(params, in, sizeof(float), y, x)),
                   params.channels);
      }
    }
    for (int32_t c = 0; c < params.channels; ++c) out[c] /= count;
  });
}

}  // namespace inferd::cpu::kernels::optimized
