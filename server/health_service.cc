#include "server/health_service.h"

#include <optional>
#include <string>

namespace inferd {
namespace {

using grpc::health::v1::HealthCheckResponse;

constexpr std::string_view kService = "grpc.health.v1.Health";

}  // namespace

// One Watch call: writes the status it starts with, then every change, one write at a time (the
// latest status wins while a write is in flight), until the client cancels or the server stops.
class HealthService::Watcher final : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  Watcher(HealthService* service, std::string name) : service_(service), name_(std::move(name)) {}

  // Called with the service's mutex held (so the watcher is registered and alive).
  void Update(Status status) {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    pending_ = status;
    MaybeWriteLocked();
  }

  // Ends the call before it writes anything (access control refused it).
  void Refuse(const grpc::Status& status) {
    std::lock_guard lock(mutex_);
    FinishLocked(status);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mutex_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status::CANCELLED);
      return;
    }
    MaybeWriteLocked();
  }
  void OnCancel() override {
    std::lock_guard lock(mutex_);
    FinishLocked(grpc::Status::CANCELLED);
  }
  void OnDone() override {
    service_->Remove(this);
    delete this;
  }
  const std::string& name() const { return name_; }

 private:
  void MaybeWriteLocked() {
    if (writing_ || finished_ || !pending_.has_value()) return;
    if (written_.has_value() && *written_ == *pending_) {
      pending_.reset();
      return;
    }
    response_.set_status(*pending_);
    written_ = pending_;
    pending_.reset();
    writing_ = true;
    StartWrite(&response_);
  }
  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  HealthService* const service_;
  const std::string name_;
  std::mutex mutex_;
  HealthCheckResponse response_;  // the buffer of the write in flight
  std::optional<Status> pending_;
  std::optional<Status> written_;
  bool writing_ = false;
  bool finished_ = false;
};

HealthService::~HealthService() = default;

HealthService::Status HealthService::StatusOf(const std::string& service) const {
  if (!service.empty()) return HealthCheckResponse::SERVICE_UNKNOWN;
  std::lock_guard lock(mutex_);
  return serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

void HealthService::SetServing(bool serving) {
  std::lock_guard lock(mutex_);
  serving_ = serving;
  for (Watcher* watcher : watchers_) {
    if (watcher->name().empty()) {
      watcher->Update(serving ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
    }
  }
}

void HealthService::Remove(Watcher* watcher) {
  std::lock_guard lock(mutex_);
  watchers_.erase(watcher);
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* context,
                                               const grpc::health::v1::HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (access_ != nullptr) {
    if (grpc::Status refused = access_->Check(*context, kService, "Check"); !refused.ok()) {
      reactor->Finish(refused);
      return reactor;
    }
  }
  const Status status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    // As gRPC's own health service: Check knows only the server as a whole.
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service"));
    return reactor;
  }
  response->set_status(status);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext* context, const grpc::health::v1::HealthCheckRequest* request) {
  auto* watcher = new Watcher(this, request->service());
  if (access_ != nullptr) {
    if (grpc::Status refused = access_->Check(*context, kService, "Watch"); !refused.ok()) {
      // Not registered: Remove in OnDone finds nothing to erase.
      watcher->Refuse(refused);
      return watcher;
    }
  }
  std::lock_guard lock(mutex_);
  watchers_.insert(watcher);
  if (request->service().empty()) {
    watcher->Update(serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  } else {
    watcher->Update(HealthCheckResponse::SERVICE_UNKNOWN);
  }
  return watcher;
}

}  // namespace inferd
