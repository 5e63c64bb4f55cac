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
#include "backends/vulkan/module_kernel.h"
#include "engine/graph/vgf/compute_segment.h"
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

// Runs DivideIndex over `cases` (a multiple of 64 of them) on `device`, filling in each quotient.
absl::Status RunDivisions(std::shared_ptr<VulkanDevice> device, std::vector<DivisionCase>& cases) {
  const std::string function = DivideIndexSource();
  if (function.empty()) return absl::NotFoundError("no DivideIndex in common.glsl");
  graph::vgf::ComputeSegment segment;
  segment.name = "divide_index_check";
  segment.code = graph::vgf::ComputeSegment::Code::kGlsl;
  segment.glsl =
      "#version 450\n"
      "layout(local_size_x = 64) in;\n"
      "layout(std430, set = 0, binding = 0) buffer Cases { ivec4 cases[]; };\n" +
      function +
      "void main() {\n"
      "  const uint i = gl_GlobalInvocationID.x;\n"
      "  cases[i].z = DivideIndex(cases[i].x, cases[i].y);\n"
      "}\n";
  segment.bindings = {{.set = 0, .binding = 0, .output = true, .operand = 0}};
  segment.workgroups = {static_cast<uint32_t>(cases.size() / 64), 1, 1};
  auto kernel = ModuleKernel::Create(device, segment);
  if (!kernel.ok()) return kernel.status();
  const VkDeviceSize bytes = cases.size() * sizeof(DivisionCase);
  auto buffer = device->CreateBuffer(bytes, /*host_visible=*/true, "division cases");
  if (!buffer.ok()) return buffer.status();
  std::memcpy(buffer->mapped(), cases.data(), bytes);

  const VkDevice handle = device->handle();
  VkDescriptorPoolSize pool_size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
  VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool_info.maxSets = 1;
  pool_info.poolSizeCount = 1;
  pool_info.pPoolSizes = &pool_size;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  if (vkCreateDescriptorPool(handle, &pool_info, nullptr, &pool) != VK_SUCCESS) {
    return absl::InternalError("vkCreateDescriptorPool failed");
  }
  const VkDescriptorSetLayout set_layout = (*kernel)->set_layout(0);
  VkDescriptorSetAllocateInfo allocate{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  allocate.descriptorPool = pool;
  allocate.descriptorSetCount = 1;
  allocate.pSetLayouts = &set_layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  absl::Status status;
  if (vkAllocateDescriptorSets(handle, &allocate, &set) != VK_SUCCESS) {
    status = absl::InternalError("vkAllocateDescriptorSets failed");
  }
  if (status.ok()) {
    VkDescriptorBufferInfo buffer_info{buffer->handle(), 0, bytes};
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    write.dstSet = set;
    write.descriptorCount = 1;
    write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    write.pBufferInfo = &buffer_info;
    vkUpdateDescriptorSets(handle, 1, &write, 0, nullptr);
    status = device->RunNow([&](VkCommandBuffer commands) {
      vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_COMPUTE, (*kernel)->pipeline());
      vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_COMPUTE, (*kernel)->layout(), 0, 1,
                              &set, 0, nullptr);
      vkCmdDispatch(commands, (*kernel)->workgroups()[0], 1, 1);
      VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
      barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
      barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
      vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
    });
  }
  if (status.ok()) std::memcpy(cases.data(), buffer->mapped(), bytes);
  vkDestroyDescriptorPool(handle, pool, nullptr);
  return status;
}

TEST(VulkanIndexDivisionTest, DivideIndexEqualsIntegerDivisionAcrossItsRange) {
  if (!HaveGlslCompiler()) GTEST_SKIP() << "built without glslang";
  std::shared_ptr<VulkanDevice> device = testing::ContainingDevice();
  ASSERT_NE(device, nullptr);
  std::vector<DivisionCase> cases = Cases();
  ASSERT_GT(cases.size(), 50000u);
  cases.resize((cases.size() + 63) / 64 * 64, DivisionCase{0, 1, -1, 0});  // whole workgroups
  const absl::Status status = RunDivisions(device, cases);
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
