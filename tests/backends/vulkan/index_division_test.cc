// common.glsl's DivideIndex, which the convolution shaders divide their indices with instead of
// integer divisions, run as it is in a shader on this machine's Vulkan device (lavapipe here) and
// held to C++'s integer division across the range the lowering allows it: dividends below 2^30,
// divisors below 2^20, at their edges, at and beside multiples, and at random.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backends/vulkan/glsl_compiler.h"
#include "gtest/gtest.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

// The function's text as the shaders include it.
std::string DivideIndexSource() {
  std::ifstream file(INFERD_SOURCE_DIR "/backends/vulkan/shaders/common.glsl");
  std::stringstream text;
  text << file.rdbuf();
  const std::string common = text.str();
  const size_t begin = common.find("int DivideIndex(");
  const size_t end = common.find("\n}\n", begin);
  if (begin == std::string::npos || end == std::string::npos) return "";
  return common.substr(begin, end + 3 - begin);
}

struct DivisionCase {
  int32_t dividend, divisor, quotient, unused;
};

std::vector<DivisionCase> Cases() {
  constexpr int64_t kDividendLimit = int64_t{1} << 30, kDivisorLimit = int64_t{1} << 20;
  std::vector<int64_t> divisors = {1,
                                   2,
                                   3,
                                   7,
                                   8,
                                   56,
                                   112,
                                   127,
                                   12544,
                                   (1 << 19) - 1,
                                   1 << 19,
                                   kDivisorLimit - 3,
                                   kDivisorLimit - 1};
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int64_t> any_divisor(1, kDivisorLimit - 1);
  std::uniform_int_distribution<int64_t> any_dividend(0, kDividendLimit - 1);
  for (int i = 0; i < 40; ++i) divisors.push_back(any_divisor(rng));
  std::vector<DivisionCase> cases;
  auto add = [&](int64_t n, int64_t d) {
    if (n < 0 || n >= kDividendLimit) return;
    cases.push_back({static_cast<int32_t>(n), static_cast<int32_t>(d), -1, 0});
  };
  for (int64_t d : divisors) {
    const int64_t largest = (kDividendLimit - 1) / d;  // the largest quotient
    std::uniform_int_distribution<int64_t> any_quotient(0, largest);
    std::vector<int64_t> quotients = {0, 1, 2, largest - 1, largest};
    for (int i = 0; i < 200; ++i) quotients.push_back(any_quotient(rng));
    for (int64_t q : quotients) {
      for (int64_t offset : {int64_t{-1}, int64_t{0}, int64_t{1}, d - 1}) add(q * d + offset, d);
    }
    add(kDividendLimit - 1, d);
    add(kDividendLimit - 2, d);
    for (int i = 0; i < 200; ++i) add(any_dividend(rng), d);
  }
  return cases;
}

// Runs DivideIndex over `cases` on `device`, filling in each quotient.
absl::Status RunDivisions(VulkanDevice& device, std::vector<DivisionCase>& cases) {
  const std::string function = DivideIndexSource();
  if (function.empty()) return absl::NotFoundError("no DivideIndex in common.glsl");
  const std::string source =
      "#version 450\n"
      "layout(local_size_x = 64) in;\n"
      "layout(std430, set = 0, binding = 0) buffer Cases { ivec4 cases[]; };\n"
      "layout(push_constant) uniform Params { uint count; } p;\n" +
      function +
      "void main() {\n"
      "  const uint i = gl_GlobalInvocationID.x;\n"
      "  if (i < p.count) cases[i].z = DivideIndex(cases[i].x, cases[i].y);\n"
      "}\n";
  auto spirv = CompileComputeGlsl(source, "divide_index_check");
  if (!spirv.ok()) return spirv.status();
  const VkDeviceSize bytes = cases.size() * sizeof(DivisionCase);
  auto buffer = device.CreateBuffer(bytes, /*host_visible=*/true, "division cases");
  if (!buffer.ok()) return buffer.status();
  std::memcpy(buffer->mapped(), cases.data(), bytes);

  const VkDevice handle = device.handle();
  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = spirv->size() * 4;
  module_info.pCode = spirv->data();
  VkShaderModule module = VK_NULL_HANDLE;
  VkDescriptorSetLayoutBinding binding{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                       VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.bindingCount = 1;
  set_info.pBindings = &binding;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, 4};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout;
  layout_info.pushConstantRangeCount = 1;
  layout_info.pPushConstantRanges = &range;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkDescriptorPoolSize pool_size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
  VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool_info.maxSets = 1;
  pool_info.poolSizeCount = 1;
  pool_info.pPoolSizes = &pool_size;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  absl::Status status;
  if (vkCreateShaderModule(handle, &module_info, nullptr, &module) != VK_SUCCESS ||
      vkCreateDescriptorSetLayout(handle, &set_info, nullptr, &set_layout) != VK_SUCCESS ||
      vkCreatePipelineLayout(handle, &layout_info, nullptr, &layout) != VK_SUCCESS ||
      vkCreateDescriptorPool(handle, &pool_info, nullptr, &pool) != VK_SUCCESS) {
    status = absl::InternalError("creating the check's Vulkan objects failed");
  }
  VkComputePipelineCreateInfo pipeline_info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  pipeline_info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  pipeline_info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipeline_info.stage.module = module;
  pipeline_info.stage.pName = "main";
  pipeline_info.layout = layout;
  VkDescriptorSetAllocateInfo allocate{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  allocate.descriptorPool = pool;
  allocate.descriptorSetCount = 1;
  allocate.pSetLayouts = &set_layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  if (status.ok() && (vkCreateComputePipelines(handle, VK_NULL_HANDLE, 1, &pipeline_info, nullptr,
                                               &pipeline) != VK_SUCCESS ||
                      vkAllocateDescriptorSets(handle, &allocate, &set) != VK_SUCCESS)) {
    status = absl::InternalError("creating the check's pipeline failed");
  }
  if (status.ok()) {
    VkDescriptorBufferInfo buffer_info{buffer->handle(), 0, bytes};
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    write.dstSet = set;
    write.descriptorCount = 1;
    write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    write.pBufferInfo = &buffer_info;
    vkUpdateDescriptorSets(handle, 1, &write, 0, nullptr);
    const auto count = static_cast<uint32_t>(cases.size());
    status = device.RunNow([&](VkCommandBuffer commands) {
      vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
      vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0,
                              nullptr);
      vkCmdPushConstants(commands, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &count);
      vkCmdDispatch(commands, (count + 63) / 64, 1, 1);
      VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
      barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
      barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
      vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
    });
  }
  if (status.ok()) std::memcpy(cases.data(), buffer->mapped(), bytes);
  vkDestroyPipeline(handle, pipeline, nullptr);
  vkDestroyDescriptorPool(handle, pool, nullptr);
  vkDestroyPipelineLayout(handle, layout, nullptr);
  vkDestroyDescriptorSetLayout(handle, set_layout, nullptr);
  vkDestroyShaderModule(handle, module, nullptr);
  return status;
}

TEST(VulkanIndexDivisionTest, DivideIndexEqualsIntegerDivisionAcrossItsRange) {
  if (!HaveGlslCompiler()) GTEST_SKIP() << "built without glslang";
  std::shared_ptr<VulkanDevice> device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  std::vector<DivisionCase> cases = Cases();
  ASSERT_GT(cases.size(), 50000u);
  const absl::Status status = RunDivisions(*device, cases);
  ASSERT_TRUE(status.ok()) << status;
  int wrong = 0;
  for (const DivisionCase& c : cases) {
    if (c.quotient != c.dividend / c.divisor && ++wrong <= 10) {
      ADD_FAILURE() << c.dividend << " / " << c.divisor << " gave " << c.quotient << ", not "
                    << c.dividend / c.divisor;
    }
  }
  EXPECT_EQ(wrong, 0) << "of " << cases.size() << " divisions";
}

}  // namespace
}  // namespace inferd::vulkan
