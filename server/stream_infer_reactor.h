// StreamInferReactor: one ModelStreamInfer call (Triton's streaming extension). Requests are read
// one at a time and each is started as soon as it arrives; responses are written in the order they
// complete, one write at a time, each carrying its request's id. An error is a response with
// error_message set, and the stream stays open. A client that half-closes gets every outstanding
// response before the stream ends with OK. At most `max_in_flight` requests are read and not yet
// answered; beyond that the reactor stops reading, so a fast writer is held back by gRPC's flow
// control rather than by memory. The call occupies no thread while it waits.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/time/time.h"
#include "engine/cancellation.h"
#include "grpcpp/grpcpp.h"
#include "inference.grpc.pb.h"

namespace inferd {

class InferenceService;

class StreamInferReactor final
    : public grpc::ServerBidiReactor<inference::ModelInferRequest,
                                     inference::ModelStreamInferResponse> {
 public:
  StreamInferReactor(InferenceService* service, absl::Time stream_deadline, size_t max_in_flight);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Called by the service, from any thread, with a request's response.
  void Deliver(inference::ModelStreamInferResponse response);
  // With mutex_ held: reads the next request when the stream may take one.
  void MaybeReadLocked();
  // With mutex_ held: ends the call once nothing is read, running or being written.
  void MaybeFinishLocked();

  InferenceService* const service_;
  const absl::Time stream_deadline_;
  const size_t max_in_flight_;

  std::mutex mutex_;
  inference::ModelInferRequest incoming_;  // the buffer of the outstanding read
  // Responses waiting to be written; the front one is being written while `writing_`. A deque keeps
  // the front's address stable while others are appended.
  std::deque<inference::ModelStreamInferResponse> to_write_;
  bool reading_ = false;
  bool writing_ = false;
  bool reads_done_ = false;  // the client half-closed (or the stream broke)
  bool broken_ = false;      // a write failed: the client is gone, responses are dropped
  bool cancelled_ = false;   // the call was cancelled (client, deadline or server shutdown)
  bool finished_ = false;
  size_t in_flight_ = 0;  // read and not yet written (or dropped)
  std::vector<std::weak_ptr<CancellationToken>> cancellations_;
};

}  // namespace inferd
