// How much a load costs a compute shader on the default Vulkan device, by the way it reads: a
// storage buffer (what every tosa_vulkan shader uses) against a uniform texel buffer of the same
// data (texelFetch) and a storage texel buffer (imageLoad), with a shader that makes no loads as
// the floor, interleaved in one process.
// Each invocation makes READS dependent-free reads of a uvec4 at scattered addresses and folds
// them into one word. The question it answers is whether moving the convolutions' loads to texel
// buffers is worth it on a device: on lavapipe (Mesa 22.3) a storage-buffer load is a loop over
// the invocations of a SIMD vector, each tested against the execution mask and the buffer's size;
// a texelFetch is a call to a function of its own, an imageLoad is code in the shader.
//
//   inferd_vulkan_load_paths_benchmark [--runs N (default 9)] [--reads N (default 256)]
#include <vulkan/vulkan.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "backends/vulkan/glsl_compiler.h"
#include "benchmarks/vulkan/median.h"

namespace inferd::bench {
namespace {

constexpr uint32_t kWorkgroups = 1024;
constexpr uint32_t kWorkgroupSize = 64;
constexpr uint32_t kTexels = 1u << 20;  // 16 MiB of uvec4

// The three shaders: the same loop, reading through `READ(i)`.
std::string Shader(const std::string& declaration, const std::string& read) {
  return "#version 450\n"
         "layout(local_size_x = 64) in;\n" +
         declaration +
         "layout(std430, binding = 1) writeonly buffer Out { uint result[]; };\n"
         "layout(push_constant) uniform P { uint reads; uint mask; } p;\n"
         "void main() {\n"
         "  const uint id = gl_GlobalInvocationID.x;\n"
         "  uvec4 acc = uvec4(id);\n"
         "  for (uint k = 0u; k < p.reads; ++k) {\n"
         "    const uint i = (id * 7u + k * 131u) & p.mask;\n"
         "    acc ^= " +
         read +
         ";\n"
         "  }\n"
         "  result[id] = acc.x ^ acc.y ^ acc.z ^ acc.w;\n"
         "}\n";
}

#define CHECK_VK(call)                                               \
  do {                                                               \
    VkResult result_ = (call);                                       \
    if (result_ != VK_SUCCESS) {                                     \
      std::cerr << #call << " failed: VkResult " << result_ << "\n"; \
      std::exit(1);                                                  \
    }                                                                \
  } while (0)

struct Device {
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t family = 0;
  VkPhysicalDeviceMemoryProperties memory{};
  VkPhysicalDeviceProperties properties{};
};

Device OpenDefaultDevice() {
  Device d;
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_3;
  VkInstanceCreateInfo instance_info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  instance_info.pApplicationInfo = &app;
  CHECK_VK(vkCreateInstance(&instance_info, nullptr, &d.instance));
  uint32_t count = 0;
  CHECK_VK(vkEnumeratePhysicalDevices(d.instance, &count, nullptr));
  if (count == 0) {
    std::cerr << "no Vulkan device (the test command installs lavapipe: mesa-vulkan-drivers)\n";
    std::exit(1);
  }
  std::vector<VkPhysicalDevice> devices(count);
  CHECK_VK(vkEnumeratePhysicalDevices(d.instance, &count, devices.data()));
  // As the backend picks by default: the first device that is not a CPU implementation, else the
  // first.
  d.physical = devices[0];
  for (VkPhysicalDevice device : devices) {
    VkPhysicalDeviceProperties properties;
    vkGetPhysicalDeviceProperties(device, &properties);
    if (properties.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU) {
      d.physical = device;
      break;
    }
  }
  vkGetPhysicalDeviceProperties(d.physical, &d.properties);
  vkGetPhysicalDeviceMemoryProperties(d.physical, &d.memory);
  uint32_t families = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(d.physical, &families, nullptr);
  std::vector<VkQueueFamilyProperties> family_properties(families);
  vkGetPhysicalDeviceQueueFamilyProperties(d.physical, &families, family_properties.data());
  for (uint32_t f = 0; f < families; ++f) {
    if (family_properties[f].queueFlags & VK_QUEUE_COMPUTE_BIT) {
      d.family = f;
      break;
    }
  }
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = d.family;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;
  VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue_info;
  CHECK_VK(vkCreateDevice(d.physical, &device_info, nullptr, &d.device));
  vkGetDeviceQueue(d.device, d.family, 0, &d.queue);
  return d;
}

// A host-visible buffer (every device has such memory; the comparison only needs the two paths
// to read the same memory).
VkBuffer CreateBuffer(const Device& d, VkDeviceSize bytes, VkBufferUsageFlags usage,
                      VkDeviceMemory& memory, void** mapped) {
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = bytes;
  info.usage = usage;
  VkBuffer buffer;
  CHECK_VK(vkCreateBuffer(d.device, &info, nullptr, &buffer));
  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(d.device, buffer, &requirements);
  const VkMemoryPropertyFlags want =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  uint32_t type = UINT32_MAX;
  for (uint32_t t = 0; t < d.memory.memoryTypeCount; ++t) {
    if ((requirements.memoryTypeBits & (1u << t)) &&
        (d.memory.memoryTypes[t].propertyFlags & want) == want) {
      type = t;
      break;
    }
  }
  if (type == UINT32_MAX) {
    std::cerr << "no host-visible coherent memory\n";
    std::exit(1);
  }
  VkMemoryAllocateInfo allocate{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  allocate.allocationSize = requirements.size;
  allocate.memoryTypeIndex = type;
  CHECK_VK(vkAllocateMemory(d.device, &allocate, nullptr, &memory));
  CHECK_VK(vkBindBufferMemory(d.device, buffer, memory, 0));
  CHECK_VK(vkMapMemory(d.device, memory, 0, bytes, 0, mapped));
  return buffer;
}

struct Path {
  std::string name;
  VkDescriptorType input_type;
  std::string declaration, read;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkDescriptorSet set = VK_NULL_HANDLE;
  std::vector<double> ms;
};

void Build(const Device& d, Path& path, VkDescriptorPool pool) {
  auto spirv = vulkan::CompileComputeGlsl(Shader(path.declaration, path.read), path.name);
  if (!spirv.ok()) {
    std::cerr << spirv.status() << "\n";
    std::exit(1);
  }
  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = spirv->size() * 4;
  module_info.pCode = spirv->data();
  VkShaderModule module;
  CHECK_VK(vkCreateShaderModule(d.device, &module_info, nullptr, &module));
  const VkDescriptorSetLayoutBinding bindings[2] = {
      {0, path.input_type, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
      {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}};
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.bindingCount = 2;
  set_info.pBindings = bindings;
  CHECK_VK(vkCreateDescriptorSetLayout(d.device, &set_info, nullptr, &path.set_layout));
  const VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, 8};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &path.set_layout;
  layout_info.pushConstantRangeCount = 1;
  layout_info.pPushConstantRanges = &range;
  CHECK_VK(vkCreatePipelineLayout(d.device, &layout_info, nullptr, &path.layout));
  VkComputePipelineCreateInfo pipeline_info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  pipeline_info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  pipeline_info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipeline_info.stage.module = module;
  pipeline_info.stage.pName = "main";
  pipeline_info.layout = path.layout;
  CHECK_VK(vkCreateComputePipelines(d.device, VK_NULL_HANDLE, 1, &pipeline_info, nullptr,
                                    &path.pipeline));
  vkDestroyShaderModule(d.device, module, nullptr);
  VkDescriptorSetAllocateInfo allocate{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  allocate.descriptorPool = pool;
  allocate.descriptorSetCount = 1;
  allocate.pSetLayouts = &path.set_layout;
  CHECK_VK(vkAllocateDescriptorSets(d.device, &allocate, &path.set));
}

int Main(int argc, char** argv) {
  int runs = 9;
  uint32_t reads = 256;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--reads") {
      reads = static_cast<uint32_t>(std::max(1, std::atoi(argv[i + 1])));
    } else {
      std::cerr << "usage: inferd_vulkan_load_paths_benchmark [--runs N] [--reads N]\n";
      return 2;
    }
  }
  if (!vulkan::HaveGlslCompiler()) {
    std::cerr << "this build has no glslang to compile the benchmark's shaders\n";
    return 1;
  }
  Device d = OpenDefaultDevice();
  if (d.properties.limits.maxTexelBufferElements < kTexels) {
    std::cerr << "the device's texel buffers hold " << d.properties.limits.maxTexelBufferElements
              << " elements, fewer than the benchmark's " << kTexels << "\n";
    return 1;
  }
  VkDeviceMemory input_memory, output_memory;
  void* input_mapped = nullptr;
  void* output_mapped = nullptr;
  const VkDeviceSize input_bytes = VkDeviceSize{kTexels} * 16;
  VkBuffer input =
      CreateBuffer(d, input_bytes,
                   VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                       VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT,
                   input_memory, &input_mapped);
  const uint32_t invocations = kWorkgroups * kWorkgroupSize;
  VkBuffer output = CreateBuffer(d, VkDeviceSize{invocations} * 4,
                                 VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, output_memory, &output_mapped);
  auto* words = static_cast<uint32_t*>(input_mapped);
  for (uint64_t i = 0; i < uint64_t{kTexels} * 4; ++i)
    words[i] = static_cast<uint32_t>(i * 2654435761u);
  VkBufferViewCreateInfo view_info{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  view_info.buffer = input;
  view_info.format = VK_FORMAT_R32G32B32A32_UINT;
  view_info.range = VK_WHOLE_SIZE;
  VkBufferView view;
  CHECK_VK(vkCreateBufferView(d.device, &view_info, nullptr, &view));

  const VkDescriptorPoolSize sizes[3] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 8},
                                         {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 4},
                                         {VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, 4}};
  VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool_info.maxSets = 4;
  pool_info.poolSizeCount = 3;
  pool_info.pPoolSizes = sizes;
  VkDescriptorPool pool;
  CHECK_VK(vkCreateDescriptorPool(d.device, &pool_info, nullptr, &pool));

  const std::string ssbo_declaration =
      "layout(std430, binding = 0) readonly buffer In { uvec4 data[]; };\n";
  std::vector<Path> paths = {
      {"no loads (floor)", VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, ssbo_declaration,
       "uvec4(i, i, i, i)"},
      {"storage buffer", VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, ssbo_declaration, "data[i]"},
      {"texel buffer", VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
       "layout(binding = 0) uniform usamplerBuffer data;\n", "texelFetch(data, int(i))"},
      {"storage texel buffer", VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER,
       "layout(binding = 0, rgba32ui) readonly uniform uimageBuffer data;\n",
       "imageLoad(data, int(i))"},
  };
  for (Path& path : paths) {
    Build(d, path, pool);
    VkDescriptorBufferInfo input_info{input, 0, VK_WHOLE_SIZE};
    VkDescriptorBufferInfo output_info{output, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet writes[2] = {{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET},
                                      {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET}};
    writes[0].dstSet = path.set;
    writes[0].dstBinding = 0;
    writes[0].descriptorCount = 1;
    writes[0].descriptorType = path.input_type;
    if (path.input_type == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER ||
        path.input_type == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER) {
      writes[0].pTexelBufferView = &view;
    } else {
      writes[0].pBufferInfo = &input_info;
    }
    writes[1].dstSet = path.set;
    writes[1].dstBinding = 1;
    writes[1].descriptorCount = 1;
    writes[1].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[1].pBufferInfo = &output_info;
    vkUpdateDescriptorSets(d.device, 2, writes, 0, nullptr);
  }

  VkCommandPoolCreateInfo command_pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  command_pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  command_pool_info.queueFamilyIndex = d.family;
  VkCommandPool command_pool;
  CHECK_VK(vkCreateCommandPool(d.device, &command_pool_info, nullptr, &command_pool));
  VkCommandBufferAllocateInfo command_info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  command_info.commandPool = command_pool;
  command_info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  command_info.commandBufferCount = 1;
  VkCommandBuffer command;
  CHECK_VK(vkAllocateCommandBuffers(d.device, &command_info, &command));
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence;
  CHECK_VK(vkCreateFence(d.device, &fence_info, nullptr, &fence));

  const uint32_t push[2] = {reads, kTexels - 1};
  std::vector<uint32_t> checks(paths.size());
  for (int round = 0; round <= runs; ++round) {  // round 0 warms up
    for (size_t k = 0; k < paths.size(); ++k) {
      Path& path = paths[k];
      CHECK_VK(vkResetCommandBuffer(command, 0));
      VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
      CHECK_VK(vkBeginCommandBuffer(command, &begin));
      vkCmdBindPipeline(command, VK_PIPELINE_BIND_POINT_COMPUTE, path.pipeline);
      vkCmdBindDescriptorSets(command, VK_PIPELINE_BIND_POINT_COMPUTE, path.layout, 0, 1, &path.set,
                              0, nullptr);
      vkCmdPushConstants(command, path.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 8, push);
      vkCmdDispatch(command, kWorkgroups, 1, 1);
      CHECK_VK(vkEndCommandBuffer(command));
      VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
      submit.commandBufferCount = 1;
      submit.pCommandBuffers = &command;
      const auto start = std::chrono::steady_clock::now();
      CHECK_VK(vkQueueSubmit(d.queue, 1, &submit, fence));
      CHECK_VK(vkWaitForFences(d.device, 1, &fence, VK_TRUE, UINT64_MAX));
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      CHECK_VK(vkResetFences(d.device, 1, &fence));
      checks[k] = static_cast<const uint32_t*>(output_mapped)[12345];
      if (round > 0) path.ms.push_back(ms);
    }
  }
  // The loading paths read the same bytes, so their results must agree.
  if (checks[1] != checks[2] || checks[1] != checks[3]) {
    std::cerr << "the storage-buffer and texel-buffer shaders disagree\n";
    return 1;
  }
  std::cout << absl::StrFormat("device: %s\n", d.properties.deviceName);
  std::cout << absl::StrFormat(
      "%u invocations, %u uvec4 reads each (16 MiB, scattered), %d interleaved rounds (medians)\n",
      invocations, reads, runs);
  const double floor = Median(paths[0].ms);
  for (const Path& path : paths) {
    const double ms = Median(path.ms);
    const double per_read_ns =
        (ms - floor) * 1e6 / (static_cast<double>(invocations) * static_cast<double>(reads));
    std::cout << absl::StrFormat("  %-20s %9.2f ms   %6.3f ns per read above the floor\n",
                                 path.name, ms, per_read_ns);
  }
  const double ssbo = Median(paths[1].ms) - floor, texel = Median(paths[2].ms) - floor;
  std::cout << absl::StrFormat("  storage / texel (above the floor) %.2fx\n", ssbo / texel);
  return 0;
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) { return inferd::bench::Main(argc, argv); }
