// CancellationToken: tells work in flight that nobody waits for its result any more.
//
// The server cancels a request's token when the client goes away; a scheduler cancels a batch's
// token when every request in it is cancelled or past its deadline. Local backends poll
// IsCancelled() between steps; remote backends register a callback that sends CANCEL to the target.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

namespace inferd {

class CancellationToken {
 public:
  bool IsCancelled() const;

  // Marks the token cancelled and runs every registered callback once, on this thread.
  void Cancel();

  // Runs `callback` when the token is cancelled; at once, on this thread, when it already is.
  void OnCancel(std::function<void()> callback);

 private:
  mutable std::mutex mutex_;
  bool cancelled_ = false;
  std::vector<std::function<void()>> callbacks_;
};

}  // namespace inferd
