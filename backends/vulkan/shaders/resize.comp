// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// RESIZE, NHWC input [N,IH,IW,C] to output [N,OH,OW,C], as backends/cpu/kernels/resize.cc does
// it. Output row oy samples input position (oy * scale_y_d + offset_y) / scale_y_n: the two
// neighbours i0, i1 (clamped into the image) and the remainder r in units of 1 / scale_y_n; the
// same along x. NEAREST (no BILINEAR defined) moves the chosen element as raw bits (T unsigned of
// its width) and takes i1 when 2 * r >= scale_n, which is what the FP32 comparison r / scale_n >=
// 0.5 decides for every scale the specification allows. BILINEAR with integer input weighs the
// four neighbours by (scale_n - r) and r in 64-bit integers; with FP32 it multiplies and adds in
// the specification's order, each operation rounded (precise: no fused multiply-add). WIDE
// (INT16 into INT48) sums the products exactly in 64 bits (wide_int.glsl's Wide, as
// stored_form.h holds INT48).
#include "common.glsl"
#ifdef FLOAT_MATH
#include "float_storage.glsl"
#endif
#ifdef WIDE
#include "wide_int.glsl"
#endif
// FP32 directly; FP16 and BF16 computed in fp32 and rounded once (float_storage.glsl).
#ifndef LOAD_T
#define LOAD_T float
#endif
#ifndef STORE_T
#define STORE_T OUT_T
#endif

layout(std430, set = 0, binding = 0) readonly buffer Input { IN_T input_data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { OUT_T output_data[]; };

layout(push_constant) uniform Params {
  int in_h, in_w, channels, out_h, out_w;
  int scale_y_n, scale_y_d, scale_x_n, scale_x_d, offset_y, offset_x;
  uint total;
} p;

// i0, i1 and r (x, y, z) for output coordinate o.
ivec3 Locate(int o, int scale_n, int scale_d, int offset, int size) {
  const int pos = o * scale_d + offset;
  const int i = pos >= 0 ? pos / scale_n : -((scale_n - 1 - pos) / scale_n);
  return ivec3(max(i, 0), min(i + 1, size - 1), pos - i * scale_n);
}

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const int c = int(index % uint(p.channels));
  uint rest = index / uint(p.channels);
  const int ox = int(rest % uint(p.out_w));
  rest /= uint(p.out_w);
  const int oy = int(rest % uint(p.out_h));
  const int n = int(rest / uint(p.out_h));
  const ivec3 sy = Locate(oy, p.scale_y_n, p.scale_y_d, p.offset_y, p.in_h);
  const ivec3 sx = Locate(ox, p.scale_x_n, p.scale_x_d, p.offset_x, p.in_w);
  const int image = n * p.in_h;
#ifndef BILINEAR
  const int iy = 2 * sy.z >= p.scale_y_n ? sy.y : sy.x;
  const int ix = 2 * sx.z >= p.scale_x_n ? sx.y : sx.x;
  output_data[index] = input_data[((image + iy) * p.in_w + ix) * p.channels + c];
#else
  const IN_T v00 = input_data[((image + sy.x) * p.in_w + sx.x) * p.channels + c];
  const IN_T v01 = input_data[((image + sy.x) * p.in_w + sx.y) * p.channels + c];
  const IN_T v10 = input_data[((image + sy.y) * p.in_w + sx.x) * p.channels + c];
  const IN_T v11 = input_data[((image + sy.y) * p.in_w + sx.y) * p.channels + c];
#ifdef FLOAT_MATH
  precise const float dy = float(sy.z) / float(p.scale_y_n);
  precise const float dx = float(sx.z) / float(p.scale_x_n);
  precise const float wy0 = 1.0 - dy;
  precise const float wx0 = 1.0 - dx;
  precise float acc = LOAD_T(v00) * wy0 * wx0;
  acc += LOAD_T(v01) * wy0 * dx;
  acc += LOAD_T(v10) * dy * wx0;
  acc += LOAD_T(v11) * dy * dx;
  output_data[index] = STORE_T(acc);
#elif defined(WIDE)
  const int dy = sy.z, wy0 = p.scale_y_n - dy;
  const int dx = sx.z, wx0 = p.scale_x_n - dx;
  Wide acc = WideMul(int(v00), wy0 * wx0);
  acc = WideAdd(acc, WideMul(int(v01), wy0 * dx));
  acc = WideAdd(acc, WideMul(int(v10), dy * wx0));
  acc = WideAdd(acc, WideMul(int(v11), dy * dx));
  output_data[index] = acc;
#else
  // The output is the sum's low 32 bits, which wrapping 32-bit arithmetic computes exactly.
  const int dy = sy.z, wy0 = p.scale_y_n - dy;
  const int dx = sx.z, wx0 = p.scale_x_n - dx;
  int acc = int(v00) * wy0 * wx0;
  acc += int(v01) * wy0 * dx;
  acc += int(v10) * dy * wx0;
  acc += int(v11) * dy * dx;
  output_data[index] = OUT_T(acc);
#endif
#endif
}
