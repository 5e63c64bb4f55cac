// Shared by every compute shader: the extensions for 8/16/64-bit integer storage and arithmetic,
// the workgroup size, and the flat index of an invocation. Dispatches are two-dimensional so that
// tensors with more than 65535 workgroups of elements still fit the dispatch limits; an invocation
// past the end returns at once.
#extension GL_EXT_shader_explicit_arithmetic_types : require
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_16bit_storage : require

#define WORKGROUP_SIZE 64
layout(local_size_x = WORKGROUP_SIZE, local_size_y = 1, local_size_z = 1) in;

// Whether every subgroup this device runs has at least 8 invocations (its minSubgroupSize): the
// backend sets it for every pipeline it creates (VulkanDevice::Kernel), so that a shader's choice
// between handing values round a subgroup of 8 and loading them itself is made when the pipeline
// is compiled. (lavapipe, Mesa 22.3, does not fold gl_SubgroupSize: with the branch taken at run
// time the MobileNetV2-shaped graphs took about 15% (INT8) and 24% (FP32) longer.)
layout(constant_id = 0) const bool kSubgroupsOfEight = false;

uint FlatIndex() {
  return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * WORKGROUP_SIZE;
}
