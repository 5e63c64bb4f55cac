#include "server/admin_service.h"

#include "absl/time/time.h"
#include "server/grpc_status.h"
#include "spdlog/spdlog.h"

namespace inferd {
namespace {

void FillTarget(const ethosu::TargetStatus& status, admin::Target& target) {
  target.set_name(status.name);
  target.set_kind(status.kind);
  target.set_address(status.address);
  for (const auto& [key, value] : status.labels) (*target.mutable_labels())[key] = value;
  target.set_healthy(status.healthy);
  target.set_draining(status.draining);
  target.set_busy(status.busy);
  target.set_jobs(status.jobs);
  target.set_failures(status.failures);
  target.set_last_error(status.last_error);
  target.set_agent(status.agent);
}

}  // namespace

AdminService::AdminService(std::shared_ptr<ethosu::TargetPool> pool) : pool_(std::move(pool)) {}

grpc::Status AdminService::ListTargets(grpc::ServerContext*, const admin::ListTargetsRequest*,
                                       admin::ListTargetsResponse* response) {
  for (const ethosu::TargetStatus& status : pool_->ListTargets()) {
    FillTarget(status, *response->add_targets());
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::AddTarget(grpc::ServerContext*, const admin::AddTargetRequest* request,
                                     admin::AddTargetResponse* response) {
  const admin::TargetSpec& spec = request->target();
  ethosu::TargetConfig config;
  config.name = spec.name();
  config.kind = spec.kind();
  config.address = spec.address();
  config.command = spec.command();
  config.image = spec.image();
  config.labels.insert(spec.labels().begin(), spec.labels().end());
  if (spec.job_timeout_ms() > 0) config.job_timeout = absl::Milliseconds(spec.job_timeout_ms());
  if (spec.connect_timeout_ms() > 0) {
    config.connect_timeout = absl::Milliseconds(spec.connect_timeout_ms());
  }
  if (auto status = pool_->AddTarget(config); !status.ok()) return ToGrpcStatus(status);
  spdlog::info("admin: added target '{}' ({} {})", config.name, config.kind,
               config.kind == "emulator" ? config.command : config.address);
  for (const ethosu::TargetStatus& status : pool_->ListTargets()) {
    if (status.name == config.name) FillTarget(status, *response->mutable_target());
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::DrainTarget(grpc::ServerContext*,
                                       const admin::DrainTargetRequest* request,
                                       admin::DrainTargetResponse*) {
  if (auto status = pool_->DrainTarget(request->name()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  spdlog::info("admin: draining target '{}'", request->name());
  return grpc::Status::OK;
}

grpc::Status AdminService::RemoveTarget(grpc::ServerContext*,
                                        const admin::RemoveTargetRequest* request,
                                        admin::RemoveTargetResponse*) {
  if (auto status = pool_->RemoveTarget(request->name()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  spdlog::info("admin: removed target '{}'", request->name());
  return grpc::Status::OK;
}

}  // namespace inferd
