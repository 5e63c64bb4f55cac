#include "engine/cancellation.h"

#include <utility>

namespace inferd {

bool CancellationToken::IsCancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

void CancellationToken::Cancel() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) return;
    cancelled_ = true;
    callbacks.swap(callbacks_);
  }
  // Outside the lock: a callback may well ask IsCancelled().
  for (auto& callback : callbacks) callback();
}

void CancellationToken::OnCancel(std::function<void()> callback) {
  {
    std::lock_guard lock(mutex_);
    if (!cancelled_) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

}  // namespace inferd
