#include "engine/graph/memory_plan.h"

#include <vector>

#include "gtest/gtest.h"

namespace inferd::graph {
namespace {

bool BytesOverlap(size_t a, size_t a_size, size_t b, size_t b_size) {
  return a < b + b_size && b < a + a_size;
}

TEST(MemoryPlanTest, BuffersAliveTogetherNeverShareBytes) {
  // A chain: each buffer is produced by step i and read by step i + 1, plus one long-lived buffer.
  std::vector<BufferRequest> requests = {
      {1000, -1, 0}, {3000, 0, 1}, {500, 1, 2}, {3000, 2, 3}, {64, -1, 4}, {2000, 3, 4},
  };
  const MemoryPlan plan = PlanMemory(requests, 64);
  ASSERT_EQ(plan.offsets.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % 64, 0u);
    EXPECT_LE(plan.offsets[i] + requests[i].bytes, plan.arena_bytes);
    for (size_t j = i + 1; j < requests.size(); ++j) {
      const bool live_together = requests[i].first_use <= requests[j].last_use &&
                                 requests[j].first_use <= requests[i].last_use;
      if (live_together) {
        EXPECT_FALSE(
            BytesOverlap(plan.offsets[i], requests[i].bytes, plan.offsets[j], requests[j].bytes))
            << i << " and " << j;
      }
    }
  }
  // Reuse: the two 3000-byte buffers are never alive together, so the arena is far smaller than
  // the sum of all buffers (9564 bytes).
  EXPECT_LT(plan.arena_bytes, 7000u);
}

TEST(MemoryPlanTest, DisjointLifetimesShareTheSameOffset) {
  const MemoryPlan plan = PlanMemory({{4096, 0, 1}, {4096, 2, 3}}, 64);
  EXPECT_EQ(plan.offsets[0], plan.offsets[1]);
  EXPECT_EQ(plan.arena_bytes, 4096u);
}

TEST(MemoryPlanTest, EmptyAndZeroSizedRequests) {
  EXPECT_EQ(PlanMemory({}).arena_bytes, 0u);
  const MemoryPlan plan = PlanMemory({{0, 0, 0}, {0, 0, 0}}, 64);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);  // distinct addresses even for empty tensors
}

}  // namespace
}  // namespace inferd::graph
