// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// GATHER: values [N,K,C], indices [N,W] (int32), output [N,W,C]; output[n,w,c] =
// values[n, indices[n,w], c]. Elements move as raw bits (T unsigned of the element's width). An
// index outside [0, K) is an error the CPU backend reports; this shader writes 0 there.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Values { T values_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Indices { int indices_data[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { T output_data[]; };

layout(push_constant) uniform Params {
  int values_count, index_count, channels;
  uint total;
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const uint c = index % uint(p.channels);
  const uint row = index / uint(p.channels);  // n * W + w
  const uint n = row / uint(p.index_count);
  const int k = indices_data[row];
  T value = T(0);
  if (k >= 0 && k < p.values_count) {
    value = values_data[(n * uint(p.values_count) + uint(k)) * uint(p.channels) + c];
  }
  output_data[index] = value;
}
