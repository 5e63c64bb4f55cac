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

// n / d for 0 <= n < 2^30 and 1 <= d < 2^20 (the lowering checks both before it picks a shader
// that divides so), without an integer division. x86 has no vector integer division, so lavapipe
// divides for each invocation with a scalar instruction of its own: the index arithmetic at the
// start of the INT8 MobileNetV2-shaped graph's most costly CONV2D shader took about a seventh of
// its time so. Float arithmetic, one instruction for 8 or 16 invocations, is within 2.5 ULP on
// any Vulkan device, so the first estimate is within 513 of n / d and the remainder left fits
// 30 bits; the second (floored, since that remainder may be negative) is within one, and the
// last remainder says which way to correct it.
int DivideIndex(int n, int d) {
  const float reciprocal = 1.0 / float(d);
  const int estimate = int(float(n) * reciprocal);
  const int closer = estimate + int(floor(float(n - estimate * d) * reciprocal));
  const int remainder = n - closer * d;
  return closer + (remainder >= d ? 1 : 0) - (remainder < 0 ? 1 : 0);
}
