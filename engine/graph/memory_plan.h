// Static memory planning for a graph run (the CPU executor's arena, the Vulkan backend's
// device-local one): places every buffer in one arena, letting buffers whose lifetimes do not
// overlap share bytes. Planned once at load, so a run allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace inferd::graph {

// One buffer to place: it is written at step `first_use` and last read at step `last_use`
// (inclusive; steps are operator indices, -1 for "before the first operator").
struct BufferRequest {
  size_t bytes = 0;
  int32_t first_use = 0;
  int32_t last_use = 0;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // one per request, each a multiple of the alignment
  size_t arena_bytes = 0;       // size of the arena the offsets index
};

// Greedy placement, largest buffers first, each at the lowest aligned offset that does not
// overlap a placed buffer with an overlapping lifetime. `alignment` must be a power of two.
MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests, size_t alignment = 64);

}  // namespace inferd::graph
