#include "backends/cpu/kernels/reshape.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(ReshapeTest, CopiesBytesInOrder) {
  const std::vector<int16_t> in = {1, -2, 3, -4, 5, -6};
  std::vector<int16_t> out(6);
  Reshape(in.data(), out.data(), in.size() * sizeof(int16_t));
  EXPECT_THAT(out, ElementsAre(1, -2, 3, -4, 5, -6));
}

TEST(ReshapeTest, InPlaceIsANoOp) {
  std::vector<float> data = {1.0f, 2.0f};
  Reshape(data.data(), data.data(), 8);
  EXPECT_THAT(data, ElementsAre(1.0f, 2.0f));
}

}  // namespace
}  // namespace inferd::cpu::kernels
