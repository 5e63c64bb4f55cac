// RequestMemoryBudget: a bound on the bytes of inference requests the daemon holds at once
// (--max-inflight-request-bytes). A request reserves its size when it arrives and gives it back
// when its response is sent; one that does not fit is refused with RESOURCE_EXHAUSTED instead of
// being queued, so a flood of large requests costs the daemon a bounded amount of memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"

namespace inferd {

class RequestMemoryBudget {
 public:
  // Gives its bytes back to the budget when destroyed. Move-only.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation();

    int64_t bytes() const { return bytes_; }

   private:
    friend class RequestMemoryBudget;
    Reservation(RequestMemoryBudget* budget, int64_t bytes) : budget_(budget), bytes_(bytes) {}
    void Release();

    RequestMemoryBudget* budget_ = nullptr;
    int64_t bytes_ = 0;
  };

  explicit RequestMemoryBudget(int64_t capacity_bytes) : capacity_(capacity_bytes) {}
  RequestMemoryBudget(const RequestMemoryBudget&) = delete;
  RequestMemoryBudget& operator=(const RequestMemoryBudget&) = delete;

  // Reserves `bytes`, or RESOURCE_EXHAUSTED saying how much is in use and which flag raises it.
  // The budget must outlive every reservation.
  absl::StatusOr<Reservation> Reserve(int64_t bytes);

  int64_t capacity() const { return capacity_; }
  int64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  const int64_t capacity_;
  std::atomic<int64_t> in_use_{0};
};

}  // namespace inferd
