#include "server/admin_service.h"

#include "absl/strings/str_cat.h"
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

// Drain and remove name an existing target, whose name is at most this long (TargetAdmission's
// limit); a longer one is refused before it is echoed into a message or the log.
grpc::Status CheckTargetName(const std::string& name) {
  const size_t kMaxNameLength = TargetRequestLimits{}.max_name_length;
  if (name.size() <= kMaxNameLength) return grpc::Status::OK;
  return grpc::Status(
      grpc::StatusCode::INVALID_ARGUMENT,
      absl::StrCat("target name of ", name.size(), " bytes; names are at most ", kMaxNameLength));
}

}  // namespace

AdminService::AdminService(std::shared_ptr<ethosu::TargetPool> pool, TargetAdmission admission,
                           const GrpcAccessControl* access)
    : pool_(std::move(pool)), admission_(std::move(admission)), access_(access) {}

grpc::Status AdminService::Admit(const grpc::ServerContext& context,
                                 std::string_view method) const {
  if (access_ == nullptr) return grpc::Status::OK;
  return access_->Check(context, admin::TargetAdmin::service_full_name(), method);
}

grpc::Status AdminService::ListTargets(grpc::ServerContext* context,
                                       const admin::ListTargetsRequest*,
                                       admin::ListTargetsResponse* response) {
  if (grpc::Status refused = Admit(*context, "ListTargets"); !refused.ok()) return refused;
  for (const ethosu::TargetStatus& status : pool_->ListTargets()) {
    FillTarget(status, *response->add_targets());
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::AddTarget(grpc::ServerContext* context,
                                     const admin::AddTargetRequest* request,
                                     admin::AddTargetResponse* response) {
  if (grpc::Status refused = Admit(*context, "AddTarget"); !refused.ok()) return refused;
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
  // Before the pool sees it: the pool would connect to (or open) the address at once.
  if (auto status = admission_.Check(config); !status.ok()) {
    spdlog::warn("admin: refused AddTarget from {}: {}", context->peer(),
                 std::string(status.message()));
    return ToGrpcStatus(status);
  }
  if (auto status = pool_->AddTarget(config); !status.ok()) return ToGrpcStatus(status);
  spdlog::info("admin: {} added target '{}' ({} {})", context->peer(), config.name, config.kind,
               config.address);
  for (const ethosu::TargetStatus& status : pool_->ListTargets()) {
    if (status.name == config.name) FillTarget(status, *response->mutable_target());
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::DrainTarget(grpc::ServerContext* context,
                                       const admin::DrainTargetRequest* request,
                                       admin::DrainTargetResponse*) {
  if (grpc::Status refused = Admit(*context, "DrainTarget"); !refused.ok()) return refused;
  if (auto status = CheckTargetName(request->name()); !status.ok()) return status;
  if (auto status = pool_->DrainTarget(request->name()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  spdlog::info("admin: {} drains target '{}'", context->peer(), request->name());
  return grpc::Status::OK;
}

grpc::Status AdminService::RemoveTarget(grpc::ServerContext* context,
                                        const admin::RemoveTargetRequest* request,
                                        admin::RemoveTargetResponse*) {
  if (grpc::Status refused = Admit(*context, "RemoveTarget"); !refused.ok()) return refused;
  if (auto status = CheckTargetName(request->name()); !status.ok()) return status;
  if (auto status = pool_->RemoveTarget(request->name()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  spdlog::info("admin: {} removed target '{}'", context->peer(), request->name());
  return grpc::Status::OK;
}

}  // namespace inferd
