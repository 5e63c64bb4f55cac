#include "backends/cpu/kernels/pooling.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// Calls visit(y, x) for every input position of the window of output (oy, ox) that lies inside
// the input, in the specification's order (ky outer, kx inner).
template <typename Visit>
void ForEachWindowPosition(const Pool2dParams& p, int32_t oy, int32_t ox, Visit&& visit) {
  const int32_t iy = oy * p.stride_y - p.pad_top;
  const int32_t ix = ox * p.stride_x - p.pad_left;
  for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
    const int32_t y = iy + ky;
    if (y < 0 || y >= p.input_height) continue;
    for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
      const int32_t x = ix + kx;
      if (x < 0 || x >= p.input_width) continue;
      visit(y, x);
    }
  }
}

// Calls compute(input_n, oy, ox, c) for every output element and stores what it returns.
template <typename T, typename Compute>
void ForEachOutput(const Pool2dParams& p, const T* input, T* output, Compute&& compute) {
  const int64_t image_size = static_cast<int64_t>(p.input_height) * p.input_width * p.channels;
  T* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const T* input_n = input + n * image_size;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        for (int32_t c = 0; c < p.channels; ++c) *out++ = compute(input_n, oy, ox, c);
      }
    }
  }
}

inline int64_t Offset(const Pool2dParams& p, int32_t y, int32_t x, int32_t c) {
  return (static_cast<int64_t>(y) * p.input_width + x) * p.channels + c;
}

template <typename T>
void MaxPoolInteger(const Pool2dParams& p, const T* input, T* output) {
  ForEachOutput(p, input, output, [&p](const T* in, int32_t oy, int32_t ox, int32_t c) {
    T acc = std::numeric_limits<T>::min();
    ForEachWindowPosition(p, oy, ox, [&](int32_t y, int32_t x) {
      const T value = in[Offset(p, y, x, c)];
      if (value > acc) acc = value;
    });
    return acc;
  });
}

template <typename T>
KernelStatus AvgPoolInteger(const Pool2dParams& p, const T* input, T* output) {
  constexpr int64_t kMin = std::numeric_limits<T>::min();
  constexpr int64_t kMax = std::numeric_limits<T>::max();
  const int64_t input_zp = p.input_zp;
  const int64_t output_zp = p.output_zp;
  bool unpredictable = false;
  ForEachOutput(p, input, output, [&](const T* in, int32_t oy, int32_t ox, int32_t c) {
    int64_t acc = 0;
    uint32_t count = 0;
    ForEachWindowPosition(p, oy, ox, [&](int32_t y, int32_t x) {
      ++count;
      acc += static_cast<int64_t>(in[Offset(p, y, x, c)]) - input_zp;
    });
    if (!InRange(acc, INT32_MIN, INT32_MAX)) unpredictable = true;
    const ScaleFactor scale = ReciprocalScale(count);
    int64_t result = ApplyScale32(static_cast<int32_t>(acc), scale.multiplier, scale.shift,
                                  /*double_round=*/false, unpredictable);
    result += output_zp;
    return static_cast<T>(ClipS(result, kMin, kMax));
  });
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

}  // namespace

void MaxPool2dInt8(const Pool2dParams& params, const int8_t* input, int8_t* output) {
  MaxPoolInteger(params, input, output);
}

void MaxPool2dInt16(const Pool2dParams& params, const int16_t* input, int16_t* output) {
  MaxPoolInteger(params, input, output);
}

void MaxPool2dFp32(const Pool2dParams& params, const float* input, float* output,
                   NanMode nan_mode) {
  // The specification starts from NaN under kIgnore (so an all-NaN window stays NaN) and from the
  // lowest value, -infinity, otherwise.
  const float initial = nan_mode == NanMode::kIgnore ? std::numeric_limits<float>::quiet_NaN()
                                                     : -std::numeric_limits<float>::infinity();
  ForEachOutput(params, input, output,
                [&params, initial, nan_mode](const float* in, int32_t oy, int32_t ox, int32_t c) {
                  float acc = initial;
                  ForEachWindowPosition(params, oy, ox, [&](int32_t y, int32_t x) {
                    acc = ApplyMaxFp(acc, in[Offset(params, y, x, c)], nan_mode);
                  });
                  return acc;
                });
}

KernelStatus AvgPool2dInt8(const Pool2dParams& params, const int8_t* input, int8_t* output) {
  return AvgPoolInteger(params, input, output);
}

KernelStatus AvgPool2dInt16(const Pool2dParams& params, const int16_t* input, int16_t* output) {
  return AvgPoolInteger(params, input, output);
}

void AvgPool2dFp32(const Pool2dParams& params, const float* input, float* output) {
  ForEachOutput(params, input, output,
                [&params](const float* in, int32_t oy, int32_t ox, int32_t c) {
                  float acc = 0.0f;
                  int32_t count = 0;
                  ForEachWindowPosition(params, oy, ox, [&](int32_t y, int32_t x) {
                    ++count;
                    acc += in[Offset(params, y, x, c)];
                  });
                  return acc / static_cast<float>(count);
                });
}

namespace {

// 16-bit floats compare exactly in fp64; the result is one of the inputs or NaN.
template <typename T>
void MaxPoolFloat16(const Pool2dParams& p, const T* input, T* output, NanMode nan_mode) {
  const double initial = nan_mode == NanMode::kIgnore ? std::numeric_limits<double>::quiet_NaN()
                                                      : -std::numeric_limits<double>::infinity();
  ForEachOutput(p, input, output,
                [&p, initial, nan_mode](const T* in, int32_t oy, int32_t ox, int32_t c) {
                  double acc = initial;
                  ForEachWindowPosition(p, oy, ox, [&](int32_t y, int32_t x) {
                    acc = ApplyMaxFp(acc, Widen(in[Offset(p, y, x, c)]), nan_mode);
                  });
                  return Narrow<T>(acc);
                });
}

// Sum and quotient rounded to AccT (float or Fp16) after every step, through fp64 where one
// operation on AccT values rounds only once more.
template <typename T, typename AccT>
void AvgPoolFloat16(const Pool2dParams& p, const T* input, T* output) {
  ForEachOutput(p, input, output, [&p](const T* in, int32_t oy, int32_t ox, int32_t c) {
    AccT acc = Narrow<AccT>(0.0);
    int32_t count = 0;
    ForEachWindowPosition(p, oy, ox, [&](int32_t y, int32_t x) {
      ++count;
      acc = Narrow<AccT>(Widen(acc) + Widen(in[Offset(p, y, x, c)]));
    });
    const AccT average = Narrow<AccT>(Widen(acc) / Widen(Narrow<AccT>(count)));
    return Narrow<T>(Widen(average));
  });
}

}  // namespace

void MaxPool2dFp16(const Pool2dParams& params, const Fp16* input, Fp16* output, NanMode nan_mode) {
  MaxPoolFloat16(params, input, output, nan_mode);
}

void MaxPool2dBf16(const Pool2dParams& params, const Bf16* input, Bf16* output, NanMode nan_mode) {
  MaxPoolFloat16(params, input, output, nan_mode);
}

void AvgPool2dFp16(const Pool2dParams& params, const Fp16* input, Fp16* output,
                   bool fp16_accumulator) {
  if (fp16_accumulator) {
    AvgPoolFloat16<Fp16, Fp16>(params, input, output);
  } else {
    AvgPoolFloat16<Fp16, float>(params, input, output);
  }
}

void AvgPool2dBf16(const Pool2dParams& params, const Bf16* input, Bf16* output) {
  AvgPoolFloat16<Bf16, float>(params, input, output);
}

void MaxPool2dFp8(const Pool2dParams& params, const Fp8E4M3* input, Fp8E4M3* output,
                  NanMode nan_mode) {
  MaxPoolFloat16(params, input, output, nan_mode);
}

void MaxPool2dFp8(const Pool2dParams& params, const Fp8E5M2* input, Fp8E5M2* output,
                  NanMode nan_mode) {
  MaxPoolFloat16(params, input, output, nan_mode);
}

void AvgPool2dFp8(const Pool2dParams& params, const Fp8E4M3* input, Fp8E4M3* output) {
  AvgPoolFloat16<Fp8E4M3, Fp16>(params, input, output);
}

void AvgPool2dFp8(const Pool2dParams& params, const Fp8E5M2* input, Fp8E5M2* output) {
  AvgPoolFloat16<Fp8E5M2, Fp16>(params, input, output);
}

}  // namespace inferd::cpu::kernels
