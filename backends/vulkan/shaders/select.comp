// GLSL 4.50: glslc -std=450, after the variant's #defines (backends/vulkan/CMakeLists.txt).
// SELECT with broadcasting: output = condition != 0 ? on_true : on_false, each operand read
// through its strides over the output's dimensions (broadcast.glsl). Elements move as raw bits.
#include "common.glsl"
#include "broadcast.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Condition { uint8_t condition_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer OnTrue { T true_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer OnFalse { T false_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { T output_data[]; };

layout(push_constant) uniform Params {
  int dims[6];
  int condition_strides[6];
  int true_strides[6];
  int false_strides[6];
  uint total;
} p;

void main() {
  const uint index = FlatIndex();
  if (index >= p.total) return;
  int coordinates[6];
  Coordinates(index, p.dims, coordinates);
  const bool condition = condition_data[Offset(coordinates, p.condition_strides)] != uint8_t(0);
  output_data[index] = condition ? true_data[Offset(coordinates, p.true_strides)]
                                 : false_data[Offset(coordinates, p.false_strides)];
}
