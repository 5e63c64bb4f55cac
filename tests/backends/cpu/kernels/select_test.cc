#include "backends/cpu/kernels/select.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(SelectTest, BroadcastsAllThreeInputs) {
  // condition [2,1,1], on_true [1,3,1], on_false [1,1,2] -> output [2,3,2].
  SelectShape s;
  s.rank = 3;
  const int32_t out[3] = {2, 3, 2}, cond[3] = {2, 1, 1}, t[3] = {1, 3, 1}, f[3] = {1, 1, 2};
  for (int i = 0; i < 3; ++i) {
    s.output_dims[i] = out[i];
    s.condition_dims[i] = cond[i];
    s.on_true_dims[i] = t[i];
    s.on_false_dims[i] = f[i];
  }
  const std::vector<uint8_t> condition = {1, 0};
  const std::vector<int32_t> on_true = {10, 20, 30};
  const std::vector<int32_t> on_false = {-1, -2};
  std::vector<int32_t> output(12);
  EXPECT_EQ(Select(s, condition.data(), on_true.data(), on_false.data(), output.data(), 4),
            KernelStatus::kOk);
  EXPECT_THAT(output, ElementsAre(10, 10, 20, 20, 30, 30, -1, -2, -1, -2, -1, -2));
}

TEST(SelectTest, ElementSizesAndRankZero) {
  SelectShape s;  // rank 0
  const uint8_t condition = 0;
  const int8_t a8 = 1, b8 = 2;
  int8_t o8 = 0;
  EXPECT_EQ(Select(s, &condition, &a8, &b8, &o8, 1), KernelStatus::kOk);
  EXPECT_EQ(o8, 2);
  const uint8_t yes = 3;  // any non-zero byte is true
  const int16_t a16 = -7, b16 = 9;
  int16_t o16 = 0;
  EXPECT_EQ(Select(s, &yes, &a16, &b16, &o16, 2), KernelStatus::kOk);
  EXPECT_EQ(o16, -7);
  EXPECT_EQ(Select(s, &yes, &a16, &b16, &o16, 8), KernelStatus::kInvalidArgument);
}

}  // namespace
}  // namespace inferd::cpu::kernels
