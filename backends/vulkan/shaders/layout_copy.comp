// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// The data-layout operators as one strided gather: TRANSPOSE, SLICE, PAD, TILE, REVERSE and each
// input of CONCAT. Elements are moved as raw bits (T is an unsigned type of the element's width),
// so every element type of that width takes the same variant. Every invocation walks its
// coordinates over `dims` (right-aligned to rank 6) and reads the input at
//   in_base + sum_d c_d * in_strides[d],  c_d = coordinate_d - offsets[d]  (modulo in_dims[d]
// for TILE); a c_d outside [0, in_dims[d]) is padding and takes pad_data[0] (PAD's pad_const).
// The output is written contiguously, or for CONCAT as rows of out_row elements, out_pitch apart,
// from out_base.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Input { T input_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Pad { T pad_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { T output_data[]; };

const int kTile = 1;

layout(push_constant) uniform Params {
  int dims[6];
  int in_dims[6];
  int in_strides[6];
  int offsets[6];
  int in_base, out_base, out_row, out_pitch, flags;
  uint total;
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  uint rest = index;
  int in_offset = p.in_base;
  bool inside = true;
  for (int d = 5; d >= 0; --d) {
    int c = int(rest % uint(p.dims[d])) - p.offsets[d];
    rest /= uint(p.dims[d]);
    if ((p.flags & kTile) != 0) c %= p.in_dims[d];
    if (c < 0 || c >= p.in_dims[d]) inside = false;
    in_offset += c * p.in_strides[d];
  }
  uint out_index = index;
  if (p.out_pitch != 0) {
    out_index = uint(p.out_base) + (index / uint(p.out_row)) * uint(p.out_pitch) +
                index % uint(p.out_row);
  }
  output_data[out_index] = inside ? input_data[in_offset] : pad_data[0];
}
