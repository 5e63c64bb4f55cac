#include "server/in_flight_calls.h"

#include <vector>

namespace inferd {

bool InFlightCall::TryFinish(const grpc::Status& status, const std::function<void()>& fill) {
  std::lock_guard lock(mutex_);
  if (finished_) return false;
  finished_ = true;
  if (fill) fill();
  // After Finish gRPC may run OnDone and free the call's messages at any time; the flag above
  // keeps the other party away from them.
  reactor_->Finish(status);
  return true;
}

void InFlightCalls::Add(const std::shared_ptr<InFlightCall>& call) {
  std::lock_guard lock(mutex_);
  calls_.insert(call);
}

void InFlightCalls::Remove(const std::shared_ptr<InFlightCall>& call) {
  std::lock_guard lock(mutex_);
  calls_.erase(call);
  changed_.notify_all();
}

size_t InFlightCalls::FinishAll(const grpc::Status& status) {
  std::vector<std::shared_ptr<InFlightCall>> calls;
  {
    std::lock_guard lock(mutex_);
    calls.assign(calls_.begin(), calls_.end());
  }
  size_t finished = 0;
  for (const auto& call : calls) finished += call->TryFinish(status) ? 1 : 0;
  return finished;
}

size_t InFlightCalls::WaitUntilDone(absl::Time deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, absl::ToChronoTime(deadline), [this] { return calls_.empty(); });
  return calls_.size();
}

size_t InFlightCalls::size() const {
  std::lock_guard lock(mutex_);
  return calls_.size();
}

}  // namespace inferd
