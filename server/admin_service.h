// AdminService: the gRPC TargetAdmin service (proto/inferd_admin.proto), which lists, adds, drains
// and removes the ethosu backend's inference targets while the daemon runs. Operator-only: main.cc
// serves it on the admin listener (--allow-admin), never on the public one (docs/security.md).
#pragma once

#include <memory>

#include "backends/ethosu/target_pool.h"
#include "inferd_admin.grpc.pb.h"
#include "server/grpc_access_control.h"
#include "server/target_admission.h"

namespace inferd {

class AdminService final : public admin::TargetAdmin::Service {
 public:
  // AddTarget adds only what `admission` allows (no emulators; allow-listed addresses).
  // `access`, when not null, decides first whether each call may run (the `admin` group).
  AdminService(std::shared_ptr<ethosu::TargetPool> pool, TargetAdmission admission,
               const GrpcAccessControl* access = nullptr);

  grpc::Status ListTargets(grpc::ServerContext* context, const admin::ListTargetsRequest* request,
                           admin::ListTargetsResponse* response) override;
  grpc::Status AddTarget(grpc::ServerContext* context, const admin::AddTargetRequest* request,
                         admin::AddTargetResponse* response) override;
  grpc::Status DrainTarget(grpc::ServerContext* context, const admin::DrainTargetRequest* request,
                           admin::DrainTargetResponse* response) override;
  grpc::Status RemoveTarget(grpc::ServerContext* context, const admin::RemoveTargetRequest* request,
                            admin::RemoveTargetResponse* response) override;

 private:
  grpc::Status Admit(const grpc::ServerContext& context, std::string_view method) const;

  std::shared_ptr<ethosu::TargetPool> pool_;
  const TargetAdmission admission_;
  const GrpcAccessControl* const access_;
};

}  // namespace inferd
