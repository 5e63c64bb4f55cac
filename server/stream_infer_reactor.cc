#include "server/stream_infer_reactor.h"

#include <utility>

#include "server/inference_service.h"

namespace inferd {

StreamInferReactor::StreamInferReactor(InferenceService* service, absl::Time stream_deadline,
                                       size_t max_in_flight)
    : service_(service), stream_deadline_(stream_deadline), max_in_flight_(max_in_flight) {
  std::lock_guard lock(mutex_);
  MaybeReadLocked();
}

void StreamInferReactor::MaybeReadLocked() {
  if (reading_ || reads_done_ || broken_ || cancelled_ || in_flight_ >= max_in_flight_) return;
  reading_ = true;
  StartRead(&incoming_);
}

void StreamInferReactor::OnReadDone(bool ok) {
  std::shared_ptr<inference::ModelInferRequest> request;
  {
    std::lock_guard lock(mutex_);
    reading_ = false;
    if (!ok) {
      reads_done_ = true;
      MaybeFinishLocked();
      return;
    }
    request = std::make_shared<inference::ModelInferRequest>(std::move(incoming_));
    incoming_.Clear();
    ++in_flight_;
  }
  // Outside the lock: a refused request is delivered before StartStreamRequest returns.
  std::shared_ptr<CancellationToken> cancellation = service_->StartStreamRequest(
      std::move(request), stream_deadline_,
      [this](inference::ModelStreamInferResponse response) { Deliver(std::move(response)); });
  bool cancel_now = false;
  {
    std::lock_guard lock(mutex_);
    if (cancellation != nullptr) {
      std::erase_if(cancellations_, [](const auto& token) { return token.expired(); });
      cancellations_.push_back(cancellation);
      cancel_now = cancelled_;
    }
    MaybeReadLocked();
  }
  if (cancel_now) cancellation->Cancel();
}

void StreamInferReactor::Deliver(inference::ModelStreamInferResponse response) {
  std::lock_guard lock(mutex_);
  if (broken_) {
    --in_flight_;
    MaybeFinishLocked();
    return;
  }
  to_write_.push_back(std::move(response));
  if (writing_) return;
  writing_ = true;
  StartWrite(&to_write_.front());
}

void StreamInferReactor::OnWriteDone(bool ok) {
  std::lock_guard lock(mutex_);
  to_write_.pop_front();
  --in_flight_;
  if (!ok) {
    // The client went away: what is still queued cannot be written either.
    broken_ = true;
    in_flight_ -= to_write_.size();
    to_write_.clear();
  }
  if (!to_write_.empty()) {
    StartWrite(&to_write_.front());
  } else {
    writing_ = false;
  }
  MaybeReadLocked();
  MaybeFinishLocked();
}

void StreamInferReactor::OnCancel() {
  std::vector<std::shared_ptr<CancellationToken>> running;
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    for (const auto& weak : cancellations_) {
      if (auto token = weak.lock()) running.push_back(std::move(token));
    }
    MaybeFinishLocked();
  }
  for (const auto& token : running) token->Cancel();
}

void StreamInferReactor::MaybeFinishLocked() {
  if (finished_ || reading_ || writing_ || in_flight_ > 0) return;
  if (!reads_done_ && !broken_ && !cancelled_) return;
  finished_ = true;
  Finish(cancelled_ ? grpc::Status(grpc::StatusCode::CANCELLED, "the stream was cancelled")
                    : grpc::Status::OK);
}

void StreamInferReactor::OnDone() { delete this; }

}  // namespace inferd
