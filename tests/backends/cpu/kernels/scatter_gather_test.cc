#include "backends/cpu/kernels/scatter_gather.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(GatherTest, PicksRowsPerBatch) {
  // values [2, 3, 2], indices [2, 2].
  const std::vector<int32_t> values = {0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121};
  const std::vector<int32_t> indices = {2, 0, 1, 1};
  std::vector<int32_t> out(8);
  ASSERT_EQ(Gather(ScatterGatherParams{2, 3, 2, 2}, values.data(), indices.data(), out.data(), 4),
            KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(20, 21, 0, 1, 110, 111, 110, 111));
}

TEST(GatherTest, OutOfRangeIndexIsUnpredictable) {
  const std::vector<int8_t> values = {1, 2};
  const std::vector<int32_t> indices = {2};
  std::vector<int8_t> out(1);
  EXPECT_EQ(Gather(ScatterGatherParams{1, 2, 1, 1}, values.data(), indices.data(), out.data(), 1),
            KernelStatus::kUnpredictable);
}

TEST(ScatterTest, OverwritesSelectedRows) {
  // values_in [1, 4, 1], indices [1, 2], input [1, 2, 1].
  const std::vector<float> values = {1, 2, 3, 4};
  const std::vector<int32_t> indices = {3, 0};
  const std::vector<float> input = {-1, -2};
  std::vector<float> out(4);
  ASSERT_EQ(Scatter(ScatterGatherParams{1, 4, 2, 1}, values.data(), indices.data(), input.data(),
                    out.data(), 4),
            KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(-2, 2, 3, -1));
}

TEST(ScatterTest, RepeatedIndexIsUnpredictable) {
  const std::vector<int16_t> values = {1, 2, 3};
  const std::vector<int32_t> indices = {1, 1};
  const std::vector<int16_t> input = {7, 8};
  std::vector<int16_t> out(3);
  EXPECT_EQ(Scatter(ScatterGatherParams{1, 3, 2, 1}, values.data(), indices.data(), input.data(),
                    out.data(), 2),
            KernelStatus::kUnpredictable);
}

}  // namespace
}  // namespace inferd::cpu::kernels
