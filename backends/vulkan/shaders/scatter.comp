// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// SCATTER: values_in [N,K,C], indices [N,W] (int32), input [N,W,C], values_out [N,K,C]; row k of
// values_out is input row w where indices[n,w] == k, values_in's row where no index names k. One
// invocation per output element looks for its row among the W indices, the last match winning as
// the CPU kernel's writes in order do (a repeated or out-of-range index is an error the CPU
// backend reports). Elements move as raw bits (T unsigned of the element's width).
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer ValuesIn { T values_in_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer Indices { int indices_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer Input { T input_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer ValuesOut { T values_out_data[]; };

layout(push_constant) uniform Params {
  int values_count, index_count, channels;
  uint total;
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  const uint c = index % uint(p.channels);
  const uint row = index / uint(p.channels);  // n * K + k
  const uint n = row / uint(p.values_count);
  const int k = int(row % uint(p.values_count));
  T value = values_in_data[index];
  for (int w = p.index_count - 1; w >= 0; --w) {
    const uint source = n * uint(p.index_count) + uint(w);
    if (indices_data[source] == k) {
      value = input_data[source * uint(p.channels) + c];
      break;
    }
  }
  values_out_data[index] = value;
}
