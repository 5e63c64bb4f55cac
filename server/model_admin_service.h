// ModelAdminService: the gRPC ModelAdmin service (proto/inferd_admin.proto), which reports what the
// KServe protocol has no message for — a loaded model's time per operator.
#pragma once

#include "engine/model_manager.h"
#include "inferd_admin.grpc.pb.h"

namespace inferd {

class ModelAdminService final : public admin::ModelAdmin::Service {
 public:
  explicit ModelAdminService(const ModelManager* models) : models_(models) {}

  grpc::Status OperatorProfile(grpc::ServerContext* context,
                               const admin::OperatorProfileRequest* request,
                               admin::OperatorProfileResponse* response) override;

 private:
  const ModelManager* models_;
};

}  // namespace inferd
