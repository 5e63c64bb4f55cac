// What the CPU backend can run: the shared operator probes (engine/graph/op_support_probe.h)
// answered by BindOperator.
#pragma once

#include <vector>

#include "engine/graph/op_support_probe.h"

namespace inferd::cpu {

using graph::OpSignature;
using graph::OpSupport;

// All 75 operators in Op enum order. Built once on first use; thread-safe.
const std::vector<OpSupport>& CpuOpSupport();

}  // namespace inferd::cpu
