// Shared by every compute shader: the extensions for 8/16/64-bit integer storage and arithmetic,
// the workgroup size, and the flat index of an invocation. Dispatches are two-dimensional so that
// tensors with more than 65535 workgroups of elements still fit the dispatch limits; an invocation
// past the end returns at once.
#extension GL_EXT_shader_explicit_arithmetic_types : require
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_16bit_storage : require

#define WORKGROUP_SIZE 64
layout(local_size_x = WORKGROUP_SIZE, local_size_y = 1, local_size_z = 1) in;

uint FlatIndex() {
  return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * WORKGROUP_SIZE;
}
