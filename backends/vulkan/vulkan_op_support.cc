#include "backends/vulkan/vulkan_op_support.h"

#include "backends/vulkan/graph_program.h"

namespace inferd::vulkan {

const std::vector<graph::OpSupport>& VulkanOpSupport() {
  static const std::vector<graph::OpSupport>* const table =
      new std::vector<graph::OpSupport>(graph::ProbeOpSupport(
          [](const graph::Graph& g) { return GraphProgram::CheckRunnable(g).ok(); }));
  return *table;
}

}  // namespace inferd::vulkan
