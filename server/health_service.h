// HealthService: grpc.health.v1.Health (Check and Watch), SERVING while the server is ready. inferd
// serves its own rather than gRPC's default one so that its calls pass through access control
// like every other RPC (the `health` protocol group).
#pragma once

#include <mutex>
#include <set>

#include "health.grpc.pb.h"
#include "server/grpc_access_control.h"

namespace inferd {

class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  // `access`, when not null, must outlive the service.
  explicit HealthService(const GrpcAccessControl* access) : access_(access) {}
  ~HealthService() override;

  // The status of the server as a whole (service ""); every Watch is told of a change.
  void SetServing(bool serving);

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

  class Watcher;

 private:
  friend class Watcher;
  using Status = grpc::health::v1::HealthCheckResponse::ServingStatus;
  // The status of `service`: the server's for "", SERVICE_UNKNOWN for any other name.
  Status StatusOf(const std::string& service) const;
  void Remove(Watcher* watcher);

  const GrpcAccessControl* const access_;
  mutable std::mutex mutex_;
  bool serving_ = false;
  std::set<Watcher*> watchers_;
};

}  // namespace inferd
