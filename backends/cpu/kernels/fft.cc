#include "backends/cpu/kernels/fft.h"

#include <cmath>
#include <cstdint>

namespace inferd::cpu::kernels {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// cos and sin of 2*pi*k/n for 0 <= k < n.
struct Twiddle {
  double c, s;
};
inline Twiddle Angle(int64_t k, int64_t n) {
  const double a = kTwoPi * static_cast<double>(k) / static_cast<double>(n);
  return Twiddle{std::cos(a), std::sin(a)};
}

// Sums sign * 2*pi*(ay/H + ax/W) terms for one output bin (oy, ox) of image `n`. The row part of
// the angle is evaluated exactly per input row; the column part advances by a rotation per
// column, whose drift over at most 2^31 steps in double stays far below fp32 resolution for the
// sizes a level allows. `sign` is +1 for the forward transform.
//
// For the real transform (imag == nullptr, skip_pi_multiples) the sine term is dropped where
// the angle is a multiple of pi, i.e. ay % (H/2) + ax % (W/2) == 0, as the specification does.
void Bin(const FftParams& p, double sign, const float* real, const float* imag, int32_t oy,
         int32_t ox, bool skip_pi_multiples, double& sum_real, double& sum_imag) {
  const int64_t h = p.height, w = p.width;
  // Powers of two: "% n" is "& (n - 1)", and "% (n / 2)" is "& (n / 2 - 1)" (0 when n is 1).
  const int64_t h_mask = h - 1, w_mask = w - 1;
  const int64_t half_h_mask = h > 1 ? h / 2 - 1 : 0, half_w_mask = w > 1 ? w / 2 - 1 : 0;
  const Twiddle step = Angle(ox, w);
  sum_real = 0;
  sum_imag = 0;
  for (int64_t iy = 0; iy < h; ++iy) {
    const int64_t ay = (iy * oy) & h_mask;
    const Twiddle ty = Angle(ay, h);
    const bool row_on_pi = (ay & half_h_mask) == 0;
    double cx = 1, sx = 0;  // cos / sin of 2*pi*ax/W for ax = (ix * ox) % W
    int64_t ax = 0;
    const float* real_row = real + iy * w;
    const float* imag_row = imag == nullptr ? nullptr : imag + iy * w;
    for (int64_t ix = 0; ix < w; ++ix) {
      const double ca = ty.c * cx - ty.s * sx;
      const double sa = sign * (ty.s * cx + ty.c * sx);
      const double vr = real_row[ix];
      if (imag_row != nullptr) {
        const double vi = imag_row[ix];
        sum_real += vr * ca + vi * sa;
        sum_imag += -vr * sa + vi * ca;
      } else {
        sum_real += vr * ca;
        if (!skip_pi_multiples || !row_on_pi || (ax & half_w_mask) != 0) sum_imag += -vr * sa;
      }
      const double next_c = cx * step.c - sx * step.s;
      sx = sx * step.c + cx * step.s;
      cx = next_c;
      ax = (ax + ox) & w_mask;
    }
  }
}

}  // namespace

void Fft2dFp32(const FftParams& p, bool inverse, const float* input_real, const float* input_imag,
               float* output_real, float* output_imag) {
  const double sign = inverse ? -1.0 : 1.0;
  const int64_t plane = int64_t{p.height} * p.width;
  for (int32_t n = 0; n < p.batch; ++n) {
    const float* real = input_real + n * plane;
    const float* imag = input_imag + n * plane;
    for (int32_t oy = 0; oy < p.height; ++oy) {
      for (int32_t ox = 0; ox < p.width; ++ox) {
        double sum_real, sum_imag;
        Bin(p, sign, real, imag, oy, ox, false, sum_real, sum_imag);
        const int64_t at = n * plane + int64_t{oy} * p.width + ox;
        output_real[at] = static_cast<float>(sum_real);
        output_imag[at] = static_cast<float>(sum_imag);
      }
    }
  }
}

void Rfft2dFp32(const FftParams& p, const float* input_real, float* output_real,
                float* output_imag) {
  const int64_t plane = int64_t{p.height} * p.width;
  const int32_t out_width = p.width / 2 + 1;
  for (int32_t n = 0; n < p.batch; ++n) {
    const float* real = input_real + n * plane;
    for (int32_t oy = 0; oy < p.height; ++oy) {
      for (int32_t ox = 0; ox < out_width; ++ox) {
        double sum_real, sum_imag;
        Bin(p, 1.0, real, nullptr, oy, ox, true, sum_real, sum_imag);
        const int64_t at = (int64_t{n} * p.height + oy) * out_width + ox;
        output_real[at] = static_cast<float>(sum_real);
        output_imag[at] = static_cast<float>(sum_imag);
      }
    }
  }
}

}  // namespace inferd::cpu::kernels
