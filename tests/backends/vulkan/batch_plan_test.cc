// PlanBatch: how a batch splits between the backend's batch passes and item-by-item runs.
#include "backends/vulkan/batch_plan.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace inferd::vulkan {
namespace {

std::vector<BatchPart> Plan(int64_t items, std::vector<int64_t> sizes) {
  return PlanBatch(items, sizes);
}

TEST(BatchPlanTest, WithoutPassesEveryItemRunsOnItsOwn) {
  EXPECT_EQ(Plan(5, {}), (std::vector<BatchPart>{{0, 5, false}}));
  EXPECT_EQ(Plan(1, {4}), (std::vector<BatchPart>{{0, 1, false}}));
  EXPECT_TRUE(Plan(0, {4}).empty());
}

TEST(BatchPlanTest, ABatchOfAPassSizeIsThatPass) {
  EXPECT_EQ(Plan(16, {4, 16}), (std::vector<BatchPart>{{0, 16, true}}));
  EXPECT_EQ(Plan(4, {4, 16}), (std::vector<BatchPart>{{0, 4, true}}));
}

TEST(BatchPlanTest, OtherSizesRunThePassesThatFitThenTheItemsLeft) {
  EXPECT_EQ(Plan(7, {4, 16}), (std::vector<BatchPart>{{0, 4, true}, {4, 3, false}}));
  EXPECT_EQ(Plan(9, {16, 4}), (std::vector<BatchPart>{{0, 4, true}, {4, 4, true}, {8, 1, false}}));
  EXPECT_EQ(Plan(20, {4, 16}), (std::vector<BatchPart>{{0, 16, true}, {16, 4, true}}));
  EXPECT_EQ(Plan(3, {4, 16}), (std::vector<BatchPart>{{0, 3, false}}));
  // Sizes of 1 or less are no passes.
  EXPECT_EQ(Plan(11, {1, 8, 2, 0}),
            (std::vector<BatchPart>{{0, 8, true}, {8, 2, true}, {10, 1, false}}));
}

// Not the largest pass first at every step: 6 with passes of 3 and 4 is two passes of 3 (4 would
// leave 2 items one at a time), and among splits that leave nothing, the one with fewest passes.
TEST(BatchPlanTest, FewestItemsLeftThenFewestPasses) {
  EXPECT_EQ(Plan(6, {3, 4}), (std::vector<BatchPart>{{0, 3, true}, {3, 3, true}}));
  EXPECT_EQ(Plan(8, {2, 4}), (std::vector<BatchPart>{{0, 4, true}, {4, 4, true}}));
  EXPECT_EQ(Plan(10, {2, 5, 3}), (std::vector<BatchPart>{{0, 5, true}, {5, 5, true}}));
}

// Every size: the parts cover the batch in order, once, with passes of the given sizes only, at
// most one run of items left, and no fewer items left is possible.
TEST(BatchPlanTest, PartsCoverEveryItemOnce) {
  const std::vector<int64_t> sizes = {5, 16, 2};
  for (int64_t items = 1; items <= 40; ++items) {
    const std::vector<BatchPart> parts = PlanBatch(items, sizes);
    int64_t next = 0, left = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
      EXPECT_EQ(parts[i].first_item, next) << items;
      next += parts[i].items;
      if (parts[i].pass) {
        EXPECT_TRUE(std::set<int64_t>(sizes.begin(), sizes.end()).contains(parts[i].items));
      } else {
        EXPECT_EQ(i, parts.size() - 1) << items << ": the items left come last";
        left = parts[i].items;
      }
    }
    EXPECT_EQ(next, items);
    // With passes of 2 and 5, every batch of 4 or more splits exactly; 1 and 3 leave one item.
    EXPECT_EQ(left, items == 1 || items == 3 ? 1 : 0) << items;
  }
}

// A planner made once for a model answers every batch size up to its limit as PlanBatch would; a
// batch beyond it is one item-by-item part, for the program to refuse.
TEST(BatchPlanTest, APlannerAnswersEverySizeUpToItsLimit) {
  const std::vector<int64_t> sizes = {8, 4, 2};
  const BatchPlanner planner(sizes, 8);
  for (int64_t items = 1; items <= 8; ++items) {
    EXPECT_EQ(planner.Plan(items), PlanBatch(items, sizes)) << items;
  }
  EXPECT_EQ(planner.Plan(7), (std::vector<BatchPart>{{0, 4, true}, {4, 2, true}, {6, 1, false}}));
  EXPECT_EQ(planner.Plan(9), (std::vector<BatchPart>{{0, 9, false}}));
  EXPECT_TRUE(planner.Plan(0).empty());
}

TEST(BatchPlanTest, PassesAreForTheConfigsSizesAndThePowersOfTwoBelowTheLargest) {
  EXPECT_EQ(BatchPassSizes(64, std::vector<int>{48, 16}),
            (std::vector<int64_t>{64, 48, 32, 16, 8, 4, 2}));
  EXPECT_EQ(BatchPassSizes(12, std::vector<int>{}), (std::vector<int64_t>{12, 8, 4, 2}));
  EXPECT_EQ(BatchPassSizes(2, std::vector<int>{}), (std::vector<int64_t>{2}));
  // A model that does not batch, or batches of one: no passes; sizes out of range are ignored.
  EXPECT_TRUE(BatchPassSizes(0, std::vector<int>{}).empty());
  EXPECT_TRUE(BatchPassSizes(1, std::vector<int>{1}).empty());
  EXPECT_EQ(BatchPassSizes(4, std::vector<int>{1, 9}), (std::vector<int64_t>{4, 2}));
  // With them every batch up to the largest leaves at most one item to run alone.
  const std::vector<int64_t> sizes = BatchPassSizes(100, std::vector<int>{});
  for (int64_t items = 1; items <= 100; ++items) {
    const std::vector<BatchPart> parts = PlanBatch(items, sizes);
    ASSERT_FALSE(parts.empty());
    const BatchPart& last = parts.back();
    EXPECT_TRUE(last.pass || last.items == 1) << items;
  }
}

}  // namespace
}  // namespace inferd::vulkan
