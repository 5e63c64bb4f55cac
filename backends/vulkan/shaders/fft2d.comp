// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// FFT2D and RFFT2D (EXT-FFT) as the direct sum the specification defines, one invocation per
// output bin (n, oy, ox) of a [batch, height, width] image: the sum over every input (iy, ix) of
// the input times exp(-i * sign * 2*pi * (oy*iy/H + ox*ix/W)), with sign -1 for the inverse
// transform and no scaling. The angle is reduced exactly in integers first, to k/(H*W) of a turn
// with k in (-H*W/2, H*W/2], so cos and sin see an argument in [-pi, pi] whatever the bin. Sums are
// fp32 (the CPU's are fp64), well inside the specification's DOT_PRODUCT bound. RFFT2D (REAL)
// reads a real input, writes the width/2 + 1 non-redundant bins and leaves out the sine terms
// whose angle is a multiple of pi, as the specification does, so purely real bins have an
// exactly zero imaginary part.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer InReal { float in_real[]; };
#ifdef REAL
layout(std430, set = 0, binding = 1) writeonly buffer OutReal { float out_real[]; };
layout(std430, set = 0, binding = 2) writeonly buffer OutImag { float out_imag[]; };
#else
layout(std430, set = 0, binding = 1) readonly buffer InImag { float in_imag[]; };
layout(std430, set = 0, binding = 2) writeonly buffer OutReal { float out_real[]; };
layout(std430, set = 0, binding = 3) writeonly buffer OutImag { float out_imag[]; };
#endif

layout(push_constant) uniform Params {
  int height, width, out_width, sign;
  uint total;
} p;

const float kTwoPi = 6.28318530717958647692;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const int ox = int(index % uint(p.out_width));
  uint rest = index / uint(p.out_width);
  const int oy = int(rest % uint(p.height));
  const int n = int(rest / uint(p.height));
  const int h = p.height, w = p.width;
  const int plane = h * w;
  const int half_h = max(h / 2, 1), half_w = max(w / 2, 1);
  const int base = n * plane;
  float sum_real = 0.0, sum_imag = 0.0;
  for (int iy = 0; iy < h; ++iy) {
    const int ay = (iy * oy) & (h - 1);  // H and W are powers of two
    const bool row_on_pi = ay % half_h == 0;
    int ax = 0;
    for (int ix = 0; ix < w; ++ix) {
      // k / (H*W) of a turn: ay/H + ax/W, reduced into (-H*W/2, H*W/2].
      int k = (ay * w + ax * h) & (plane - 1);
      if (k > plane / 2) k -= plane;
      const float angle = kTwoPi * float(k) / float(plane);
      const float c = cos(angle);
      const float s = float(p.sign) * sin(angle);
      const float vr = in_real[base + iy * w + ix];
#ifdef REAL
      sum_real += vr * c;
      if (!row_on_pi || ax % half_w != 0) sum_imag += -vr * s;
#else
      const float vi = in_imag[base + iy * w + ix];
      sum_real += vr * c + vi * s;
      sum_imag += -vr * s + vi * c;
#endif
      ax = (ax + ox) & (w - 1);
    }
  }
  const uint at = uint(n * h * p.out_width + oy * p.out_width + ox);
  out_real[at] = sum_real;
  out_imag[at] = sum_imag;
}
