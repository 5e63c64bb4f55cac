// ModelAdminService: the gRPC ModelAdmin service (proto/inferd_admin.proto), which reports what the
// KServe protocol has no message for — a loaded model's time per operator.
#pragma once

#include "engine/model_manager.h"
#include "inferd_admin.grpc.pb.h"
#include "server/grpc_access_control.h"

namespace inferd {

class ModelAdminService final : public admin::ModelAdmin::Service {
 public:
  // `access`, when not null, decides first whether each call may run (the `statistics` group).
  explicit ModelAdminService(const ModelManager* models, const GrpcAccessControl* access = nullptr)
      : models_(models), access_(access) {}

  grpc::Status OperatorProfile(grpc::ServerContext* context,
                               const admin::OperatorProfileRequest* request,
                               admin::OperatorProfileResponse* response) override;

 private:
  const ModelManager* models_;
  const GrpcAccessControl* const access_;
};

}  // namespace inferd
