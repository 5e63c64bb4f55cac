#include "backends/cpu/kernels/resize.h"

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"

namespace inferd::cpu::kernels {
namespace {

// Floor division for a positive divisor (sampling positions can be negative by up to one unit).
inline int32_t FloorDiv(int32_t value, int32_t divisor) {
  const int32_t q = value / divisor;
  return (value % divisor != 0 && value < 0) ? q - 1 : q;
}

// Where output row/column `o` samples the input: the two neighbours (clamped into the image) and
// the remainder `r` in units of 1 / scale_n.
struct Sample {
  int32_t i0, i1, r;
};

inline Sample Locate(int32_t o, int32_t scale_n, int32_t scale_d, int32_t offset, int32_t size) {
  const int32_t pos = o * scale_d + offset;
  const int32_t i = FloorDiv(pos, scale_n);
  Sample s;
  s.r = pos - i * scale_n;
  s.i0 = i < 0 ? 0 : i;
  s.i1 = i + 1 > size - 1 ? size - 1 : i + 1;
  return s;
}

// `pick` chooses the neighbour along one axis from a Sample; floating-point and integer
// resize_t decide the same way for every position the validator allows (see ResizeNearestFp32).
template <typename T, typename Pick>
void Nearest(const ResizeParams& p, const T* input, T* output, Pick pick) {
  T* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const T* image = input + int64_t{n} * p.input_height * p.input_width * p.channels;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const Sample sy = Locate(oy, p.scale_y_n, p.scale_y_d, p.offset_y, p.input_height);
      const int32_t iy = pick(sy, p.scale_y_n);
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const Sample sx = Locate(ox, p.scale_x_n, p.scale_x_d, p.offset_x, p.input_width);
        const int32_t ix = pick(sx, p.scale_x_n);
        const T* in = image + (int64_t{iy} * p.input_width + ix) * p.channels;
        for (int32_t c = 0; c < p.channels; ++c) *out++ = in[c];
      }
    }
  }
}

inline int32_t PickInteger(const Sample& s, int32_t scale_n) {
  return 2 * s.r >= scale_n ? s.i1 : s.i0;
}

template <typename InT, typename AccT>
void BilinearInt(const ResizeParams& p, const InT* input, AccT* output) {
  AccT* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const InT* image = input + int64_t{n} * p.input_height * p.input_width * p.channels;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const Sample sy = Locate(oy, p.scale_y_n, p.scale_y_d, p.offset_y, p.input_height);
      const int64_t dy = sy.r, wy0 = p.scale_y_n - dy;
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const Sample sx = Locate(ox, p.scale_x_n, p.scale_x_d, p.offset_x, p.input_width);
        const int64_t dx = sx.r, wx0 = p.scale_x_n - dx;
        const InT* r0 = image + int64_t{sy.i0} * p.input_width * p.channels;
        const InT* r1 = image + int64_t{sy.i1} * p.input_width * p.channels;
        const InT* v00 = r0 + int64_t{sx.i0} * p.channels;
        const InT* v01 = r0 + int64_t{sx.i1} * p.channels;
        const InT* v10 = r1 + int64_t{sx.i0} * p.channels;
        const InT* v11 = r1 + int64_t{sx.i1} * p.channels;
        for (int32_t c = 0; c < p.channels; ++c) {
          // |value| * scale_y_n * scale_x_n <= 2^15 * 2^22 fits int64; for int8 the result also
          // fits the int32 output, as the scale limit of the specification intends.
          int64_t acc = v00[c] * wy0 * wx0;
          acc += v01[c] * wy0 * dx;
          acc += v10[c] * dy * wx0;
          acc += v11[c] * dy * dx;
          *out++ = static_cast<AccT>(acc);
        }
      }
    }
  }
}

// resize_t arithmetic for the 16-bit float types: every operation rounds to T (through fp64,
// which rounds the exact result of one +, -, * or / of T values only once more).
template <typename T>
T Op(double exact) {
  return Narrow<T>(exact);
}

// The fraction r / scale_n in resize_t, as the specification converts both operands first.
template <typename T>
T Fraction(int32_t r, int32_t scale_n) {
  return Op<T>(Widen(Narrow<T>(r)) / Widen(Narrow<T>(scale_n)));
}

template <typename T>
void NearestFloat16(const ResizeParams& p, const T* input, T* output) {
  Nearest(p, input, output, [](const Sample& s, int32_t scale_n) {
    return Widen(Fraction<T>(s.r, scale_n)) >= 0.5 ? s.i1 : s.i0;
  });
}

template <typename T>
void BilinearFloat16(const ResizeParams& p, const T* input, T* output) {
  T* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const T* image = input + int64_t{n} * p.input_height * p.input_width * p.channels;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const Sample sy = Locate(oy, p.scale_y_n, p.scale_y_d, p.offset_y, p.input_height);
      const double dy = Widen(Fraction<T>(sy.r, p.scale_y_n));
      const double wy0 = Widen(Op<T>(1.0 - dy));
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const Sample sx = Locate(ox, p.scale_x_n, p.scale_x_d, p.offset_x, p.input_width);
        const double dx = Widen(Fraction<T>(sx.r, p.scale_x_n));
        const double wx0 = Widen(Op<T>(1.0 - dx));
        const T* r0 = image + int64_t{sy.i0} * p.input_width * p.channels;
        const T* r1 = image + int64_t{sy.i1} * p.input_width * p.channels;
        const T* v00 = r0 + int64_t{sx.i0} * p.channels;
        const T* v01 = r0 + int64_t{sx.i1} * p.channels;
        const T* v10 = r1 + int64_t{sx.i0} * p.channels;
        const T* v11 = r1 + int64_t{sx.i1} * p.channels;
        // (value * weight_y) * weight_x per corner, each product and sum rounded to T.
        auto term = [](T v, double wy, double wx) {
          return Widen(Op<T>(Widen(Op<T>(Widen(v) * wy)) * wx));
        };
        for (int32_t c = 0; c < p.channels; ++c) {
          double acc = term(v00[c], wy0, wx0);
          acc = Widen(Op<T>(acc + term(v01[c], wy0, dx)));
          acc = Widen(Op<T>(acc + term(v10[c], dy, wx0)));
          *out++ = Op<T>(acc + term(v11[c], dy, dx));
        }
      }
    }
  }
}

}  // namespace

void ResizeNearestInt8(const ResizeParams& p, const int8_t* input, int8_t* output) {
  Nearest(p, input, output, PickInteger);
}

void ResizeNearestInt16(const ResizeParams& p, const int16_t* input, int16_t* output) {
  Nearest(p, input, output, PickInteger);
}

void ResizeNearestFp32(const ResizeParams& p, const float* input, float* output) {
  // The specification compares the fp32 fraction r / scale_n with 0.5. With scale_n <= 2048 that
  // quotient cannot round across 0.5, but the comparison is kept as written.
  Nearest(p, input, output, [](const Sample& s, int32_t scale_n) {
    const float d = static_cast<float>(s.r) / static_cast<float>(scale_n);
    return d >= 0.5f ? s.i1 : s.i0;
  });
}

void ResizeBilinearInt8(const ResizeParams& p, const int8_t* input, int32_t* output) {
  BilinearInt(p, input, output);
}

void ResizeBilinearInt16(const ResizeParams& p, const int16_t* input, int64_t* output) {
  BilinearInt(p, input, output);
}

void ResizeBilinearFp32(const ResizeParams& p, const float* input, float* output) {
  float* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const float* image = input + int64_t{n} * p.input_height * p.input_width * p.channels;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const Sample sy = Locate(oy, p.scale_y_n, p.scale_y_d, p.offset_y, p.input_height);
      const float dy = static_cast<float>(sy.r) / static_cast<float>(p.scale_y_n);
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const Sample sx = Locate(ox, p.scale_x_n, p.scale_x_d, p.offset_x, p.input_width);
        const float dx = static_cast<float>(sx.r) / static_cast<float>(p.scale_x_n);
        const float* r0 = image + int64_t{sy.i0} * p.input_width * p.channels;
        const float* r1 = image + int64_t{sy.i1} * p.input_width * p.channels;
        const float* v00 = r0 + int64_t{sx.i0} * p.channels;
        const float* v01 = r0 + int64_t{sx.i1} * p.channels;
        const float* v10 = r1 + int64_t{sx.i0} * p.channels;
        const float* v11 = r1 + int64_t{sx.i1} * p.channels;
        for (int32_t c = 0; c < p.channels; ++c) {
          // Same association as the specification: (value * weight_y) * weight_x.
          float acc = v00[c] * (1.0f - dy) * (1.0f - dx);
          acc += v01[c] * (1.0f - dy) * dx;
          acc += v10[c] * dy * (1.0f - dx);
          acc += v11[c] * dy * dx;
          *out++ = acc;
        }
      }
    }
  }
}

void ResizeNearestFp16(const ResizeParams& p, const Fp16* input, Fp16* output) {
  NearestFloat16(p, input, output);
}
void ResizeNearestBf16(const ResizeParams& p, const Bf16* input, Bf16* output) {
  NearestFloat16(p, input, output);
}
void ResizeBilinearFp16(const ResizeParams& p, const Fp16* input, Fp16* output) {
  BilinearFloat16(p, input, output);
}
void ResizeBilinearBf16(const ResizeParams& p, const Bf16* input, Bf16* output) {
  BilinearFloat16(p, input, output);
}

}  // namespace inferd::cpu::kernels
