#include "engine/graph/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace inferd::graph {
namespace {

size_t AlignUp(size_t value, size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

bool LifetimesOverlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}

}  // namespace

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests, size_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Largest first packs best; ties by earlier start keep the plan deterministic.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
    return requests[a].first_use < requests[b].first_use;
  });

  struct Placed {
    size_t offset;
    size_t end;
    size_t index;
  };
  std::vector<Placed> placed;  // kept sorted by offset
  for (size_t index : order) {
    const BufferRequest& request = requests[index];
    const size_t size = AlignUp(std::max<size_t>(request.bytes, 1), alignment);
    size_t offset = 0;
    for (const Placed& other : placed) {
      if (!LifetimesOverlap(request, requests[other.index])) continue;
      if (offset + size <= other.offset) break;  // fits in the gap before `other`
      offset = std::max(offset, AlignUp(other.end, alignment));
    }
    plan.offsets[index] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    const Placed entry{offset, offset + size, index};
    placed.insert(
        std::upper_bound(placed.begin(), placed.end(), entry,
                         [](const Placed& a, const Placed& b) { return a.offset < b.offset; }),
        entry);
  }
  return plan;
}

}  // namespace inferd::graph
