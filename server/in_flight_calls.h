// InFlightCalls: the ModelInfer calls the daemon has accepted and not yet answered, so that a
// shutdown can wait until every computed response has been written, and answer the rest itself
// when its deadline passes instead of letting gRPC cancel them without a word.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace inferd {

// One accepted call. Exactly one of the engine's completion and the shutdown answers it: whoever
// calls TryFinish first; the other is told so and must not touch the call's messages again.
class InFlightCall {
 public:
  explicit InFlightCall(grpc::ServerUnaryReactor* reactor) : reactor_(reactor) {}

  // Runs `fill` (which writes the response message) and finishes the call with `status`, unless
  // the call was already finished; returns whether this call did it.
  bool TryFinish(const grpc::Status& status, const std::function<void()>& fill = nullptr);

 private:
  std::mutex mutex_;
  bool finished_ = false;
  grpc::ServerUnaryReactor* const reactor_;
};

class InFlightCalls {
 public:
  // Registers a call; Remove it from the reactor's OnDone.
  void Add(const std::shared_ptr<InFlightCall>& call);
  void Remove(const std::shared_ptr<InFlightCall>& call);

  // Finishes every call not yet finished with `status`; returns how many it finished.
  size_t FinishAll(const grpc::Status& status);

  // Waits until gRPC is done with every registered call (each OnDone ran: the response was
  // written, or the client went away) or `deadline` passes; returns how many remain.
  size_t WaitUntilDone(absl::Time deadline);

  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::shared_ptr<InFlightCall>> calls_;
};

}  // namespace inferd
