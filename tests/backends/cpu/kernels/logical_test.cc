#include "backends/cpu/kernels/logical.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

// Truth tables: input1 [4] = 0,0,1,1 against input2 [4] = 0,1,0,1.
std::vector<uint8_t> Table(LogicalOp op, std::vector<uint8_t> a, std::vector<uint8_t> b) {
  BroadcastShape s;
  s.rank = 1;
  s.output_dims[0] = s.input1_dims[0] = s.input2_dims[0] = 4;
  std::vector<uint8_t> out(4);
  LogicalBinary(op, s, a.data(), b.data(), out.data());
  return out;
}

TEST(LogicalTest, TruthTables) {
  EXPECT_THAT(Table(LogicalOp::kAnd, {0, 0, 1, 1}, {0, 1, 0, 1}), ElementsAre(0, 0, 0, 1));
  EXPECT_THAT(Table(LogicalOp::kOr, {0, 0, 1, 1}, {0, 1, 0, 1}), ElementsAre(0, 1, 1, 1));
  EXPECT_THAT(Table(LogicalOp::kXor, {0, 0, 1, 1}, {0, 1, 0, 1}), ElementsAre(0, 1, 1, 0));
}

TEST(LogicalTest, AnyNonZeroByteIsTrueAndResultsAreZeroOrOne) {
  EXPECT_THAT(Table(LogicalOp::kAnd, {2, 255, 0, 7}, {1, 2, 9, 0}), ElementsAre(1, 1, 0, 0));
  EXPECT_THAT(Table(LogicalOp::kXor, {2, 255, 0, 7}, {1, 2, 9, 0}), ElementsAre(0, 0, 1, 1));
  const std::vector<uint8_t> in = {0, 1, 5};
  std::vector<uint8_t> out(3);
  LogicalNot(in.data(), out.data(), 3);
  EXPECT_THAT(out, ElementsAre(1, 0, 0));
}

TEST(LogicalTest, RankZeroIsOneElement) {
  BroadcastShape s;  // rank 0
  const uint8_t a = 1, b = 0;
  uint8_t out = 7;
  LogicalBinary(LogicalOp::kOr, s, &a, &b, &out);
  EXPECT_EQ(out, 1);
}

}  // namespace
}  // namespace inferd::cpu::kernels
