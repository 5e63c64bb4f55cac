// What the tosa_vulkan backend can run: the shared operator probes
// (engine/graph/op_support_probe.h) answered by GraphProgram::CheckRunnable, so no device is
// needed and the table is the same on every machine.
#pragma once

#include <vector>

#include "engine/graph/op_support_probe.h"

namespace inferd::vulkan {

// All 75 operators in Op enum order. Built once on first use; thread-safe.
const std::vector<graph::OpSupport>& VulkanOpSupport();

}  // namespace inferd::vulkan
