#include "server/request_memory_budget.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace inferd {

RequestMemoryBudget::Reservation::Reservation(Reservation&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

RequestMemoryBudget::Reservation& RequestMemoryBudget::Reservation::operator=(
    Reservation&& other) noexcept {
  if (this != &other) {
    Release();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

RequestMemoryBudget::Reservation::~Reservation() { Release(); }

void RequestMemoryBudget::Reservation::Release() {
  if (budget_ != nullptr) budget_->in_use_.fetch_sub(bytes_, std::memory_order_relaxed);
  budget_ = nullptr;
  bytes_ = 0;
}

absl::StatusOr<RequestMemoryBudget::Reservation> RequestMemoryBudget::Reserve(int64_t bytes) {
  if (bytes > capacity_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the request's ", bytes, " bytes exceed the whole in-flight request memory budget of ",
        capacity_, " bytes (--max-inflight-request-bytes)"));
  }
  int64_t used = in_use_.load(std::memory_order_relaxed);
  // Compare-and-swap rather than add-then-check, so that refused requests never push in_use()
  // above the capacity for others to see.
  while (true) {
    if (used + bytes > capacity_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the server is out of memory for requests: ", used, " of ", capacity_,
                       " bytes are held by requests in flight and this one needs ", bytes,
                       "; retry later (the budget is --max-inflight-request-bytes)"));
    }
    if (in_use_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed)) break;
  }
  return Reservation(this, bytes);
}

}  // namespace inferd
