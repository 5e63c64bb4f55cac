#include "backends/cpu/kernels/fft.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

// The specification's sum evaluated directly with std::cos / std::sin of the full angle.
void NaiveDft(int h, int w, double sign, const std::vector<float>& re, const std::vector<float>& im,
              std::vector<double>& out_re, std::vector<double>& out_im) {
  out_re.assign(h * w, 0);
  out_im.assign(h * w, 0);
  for (int oy = 0; oy < h; ++oy)
    for (int ox = 0; ox < w; ++ox)
      for (int iy = 0; iy < h; ++iy)
        for (int ix = 0; ix < w; ++ix) {
          const double a =
              sign * 2 * M_PI * (double((iy * oy) % h) / h + double((ix * ox) % w) / w);
          out_re[oy * w + ox] += re[iy * w + ix] * std::cos(a) + im[iy * w + ix] * std::sin(a);
          out_im[oy * w + ox] += -re[iy * w + ix] * std::sin(a) + im[iy * w + ix] * std::cos(a);
        }
}

TEST(FftTest, ImpulseGivesAllOnes) {
  FftParams p{1, 4, 8};
  std::vector<float> re(32, 0), im(32, 0), out_re(32), out_im(32);
  re[0] = 1;
  Fft2dFp32(p, false, re.data(), im.data(), out_re.data(), out_im.data());
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(out_re[i], 1.0f);
    EXPECT_EQ(out_im[i], 0.0f);
  }
}

TEST(FftTest, ShiftedImpulseFollowsTheSignOfTheExponent) {
  // x[0][1] = 1: X[0][ox] = exp(-+ 2 pi i ox / W).
  FftParams p{1, 1, 4};
  std::vector<float> re = {0, 1, 0, 0}, im(4, 0), out_re(4), out_im(4);
  Fft2dFp32(p, false, re.data(), im.data(), out_re.data(), out_im.data());
  EXPECT_NEAR(out_re[1], 0.0f, 1e-7);
  EXPECT_NEAR(out_im[1], -1.0f, 1e-7);
  Fft2dFp32(p, true, re.data(), im.data(), out_re.data(), out_im.data());
  EXPECT_NEAR(out_im[1], 1.0f, 1e-7);
  EXPECT_NEAR(out_re[2], -1.0f, 1e-7);
}

TEST(FftTest, MatchesDirectSumOnRandomData) {
  const int n = 2, h = 8, w = 16;
  const auto re = test_util::RandomFloats(n * h * w, -100, 100, 5);
  const auto im = test_util::RandomFloats(n * h * w, -100, 100, 6);
  std::vector<float> out_re(re.size()), out_im(re.size());
  for (bool inverse : {false, true}) {
    Fft2dFp32(FftParams{n, h, w}, inverse, re.data(), im.data(), out_re.data(), out_im.data());
    for (int b = 0; b < n; ++b) {
      const std::vector<float> bre(re.begin() + b * h * w, re.begin() + (b + 1) * h * w);
      const std::vector<float> bim(im.begin() + b * h * w, im.begin() + (b + 1) * h * w);
      std::vector<double> want_re, want_im;
      NaiveDft(h, w, inverse ? -1 : 1, bre, bim, want_re, want_im);
      for (int i = 0; i < h * w; ++i) {
        EXPECT_NEAR(out_re[b * h * w + i], want_re[i], 1e-3) << i;
        EXPECT_NEAR(out_im[b * h * w + i], want_im[i], 1e-3) << i;
      }
    }
  }
}

TEST(RfftTest, IsTheLeftHalfOfTheComplexTransform) {
  const int h = 4, w = 8, half = w / 2 + 1;
  const auto re = test_util::RandomFloats(h * w, -10, 10, 7);
  const std::vector<float> im(h * w, 0);
  std::vector<double> want_re, want_im;
  NaiveDft(h, w, 1, re, im, want_re, want_im);
  std::vector<float> out_re(h * half), out_im(h * half);
  Rfft2dFp32(FftParams{1, h, w}, re.data(), out_re.data(), out_im.data());
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < half; ++x) {
      EXPECT_NEAR(out_re[y * half + x], want_re[y * w + x], 1e-4);
      EXPECT_NEAR(out_im[y * half + x], want_im[y * w + x], 1e-4);
    }
  }
  // Bins whose every angle is a multiple of pi have an exactly zero imaginary part.
  EXPECT_EQ(out_im[0], 0.0f);
  EXPECT_EQ(out_im[w / 2], 0.0f);
  EXPECT_EQ(out_im[(h / 2) * half], 0.0f);
  EXPECT_EQ(out_im[(h / 2) * half + w / 2], 0.0f);
}

TEST(RfftTest, SingleRowAndColumn) {
  // H = W = 1: the transform is the value itself.
  const std::vector<float> re = {-3.5f};
  std::vector<float> out_re(1), out_im(1);
  Rfft2dFp32(FftParams{1, 1, 1}, re.data(), out_re.data(), out_im.data());
  EXPECT_EQ(out_re[0], -3.5f);
  EXPECT_EQ(out_im[0], 0.0f);
}

}  // namespace
}  // namespace inferd::cpu::kernels
