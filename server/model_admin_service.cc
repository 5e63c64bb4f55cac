#include "server/model_admin_service.h"

#include <string>

#include "engine/operator_profile.h"
#include "server/grpc_status.h"

namespace inferd {

grpc::Status ModelAdminService::OperatorProfile(grpc::ServerContext* context,
                                                const admin::OperatorProfileRequest* request,
                                                admin::OperatorProfileResponse* response) {
  if (access_ != nullptr) {
    grpc::Status refused =
        access_->Check(*context, admin::ModelAdmin::service_full_name(), "OperatorProfile");
    if (!refused.ok()) return refused;
  }
  if (request->name().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "OperatorProfile needs a model name");
  }
  auto model = models_->Find(request->name(), request->version());
  if (!model.ok()) return ToGrpcStatus(model.status());
  const StatisticsSnapshot statistics = (*model)->statistics().Snapshot();
  response->set_name((*model)->name());
  response->set_version(std::to_string((*model)->version()));
  response->set_inference_count(statistics.inference_count);
  response->set_execution_count(statistics.execution_count);
  for (const OperatorTiming& timing : (*model)->OperatorProfile()) {
    admin::OperatorTiming* entry = response->add_operators();
    entry->set_block(timing.block);
    entry->set_index(timing.index);
    entry->set_op(timing.op);
    entry->set_output(timing.output);
    entry->set_shape(timing.shape);
    entry->set_calls(timing.calls);
    entry->set_total_ns(timing.total_ns);
  }
  return grpc::Status::OK;
}

}  // namespace inferd
