#include "server/request_memory_budget.h"

#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;

TEST(RequestMemoryBudgetTest, RefusesWhatDoesNotFitAndTakesItBackOnRelease) {
  RequestMemoryBudget budget(100);
  auto first = budget.Reserve(60);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(budget.in_use(), 60);

  auto second = budget.Reserve(50);
  ASSERT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(second.status().message(), HasSubstr("60 of 100 bytes"));
  EXPECT_THAT(second.status().message(), HasSubstr("--max-inflight-request-bytes"));
  EXPECT_EQ(budget.in_use(), 60);  // a refusal reserves nothing

  { RequestMemoryBudget::Reservation released = *std::move(first); }
  EXPECT_EQ(budget.in_use(), 0);
  auto third = budget.Reserve(100);
  EXPECT_TRUE(third.ok());
  EXPECT_EQ(budget.in_use(), 100);
}

TEST(RequestMemoryBudgetTest, ARequestLargerThanTheWholeBudgetSaysSo) {
  RequestMemoryBudget budget(100);
  auto reservation = budget.Reserve(101);
  ASSERT_EQ(reservation.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(reservation.status().message(), HasSubstr("exceed the whole"));
}

TEST(RequestMemoryBudgetTest, AMovedReservationIsReleasedOnce) {
  RequestMemoryBudget budget(100);
  RequestMemoryBudget::Reservation outer;
  {
    auto reservation = budget.Reserve(40);
    ASSERT_TRUE(reservation.ok());
    RequestMemoryBudget::Reservation moved = *std::move(reservation);
    outer = std::move(moved);
  }
  EXPECT_EQ(budget.in_use(), 40);
  EXPECT_EQ(outer.bytes(), 40);
  outer = RequestMemoryBudget::Reservation();
  EXPECT_EQ(budget.in_use(), 0);
}

}  // namespace
}  // namespace inferd
