#include "server/grpc_access_control.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace inferd {
namespace {

constexpr std::string_view kInference = "inference.GRPCInferenceService";
constexpr std::string_view kHealth = "grpc.health.v1.Health";
constexpr std::string_view kModelAdmin = "inferd.admin.ModelAdmin";
constexpr std::string_view kTargetAdmin = "inferd.admin.TargetAdmin";
constexpr std::string_view kDeviceAdmin = "inferd.admin.DeviceAdmin";

// Triton's classification of its RPCs (its grpc_server.cc), plus grpc.health.v1 under health
// and inferd's own services.
constexpr GrpcMethodGroup kMethodGroups[] = {
    {kInference, "ServerLive", ProtocolGroup::kHealth},
    {kInference, "ServerReady", ProtocolGroup::kHealth},
    {kInference, "ModelReady", ProtocolGroup::kHealth},
    {kHealth, "Check", ProtocolGroup::kHealth},
    {kHealth, "Watch", ProtocolGroup::kHealth},
    {kInference, "ServerMetadata", ProtocolGroup::kMetadata},
    {kInference, "ModelMetadata", ProtocolGroup::kMetadata},
    {kInference, "ModelInfer", ProtocolGroup::kInference},
    {kInference, "ModelStreamInfer", ProtocolGroup::kInference},
    {kInference, "ModelConfig", ProtocolGroup::kModelConfig},
    {kInference, "ModelStatistics", ProtocolGroup::kStatistics},
    {kModelAdmin, "OperatorProfile", ProtocolGroup::kStatistics},
    {kInference, "RepositoryIndex", ProtocolGroup::kModelRepository},
    {kInference, "RepositoryModelLoad", ProtocolGroup::kModelRepository},
    {kInference, "RepositoryModelUnload", ProtocolGroup::kModelRepository},
    {kInference, "SystemSharedMemoryStatus", ProtocolGroup::kSharedMemory},
    {kInference, "SystemSharedMemoryRegister", ProtocolGroup::kSharedMemory},
    {kInference, "SystemSharedMemoryUnregister", ProtocolGroup::kSharedMemory},
    {kInference, "CudaSharedMemoryStatus", ProtocolGroup::kSharedMemory},
    {kInference, "CudaSharedMemoryRegister", ProtocolGroup::kSharedMemory},
    {kInference, "CudaSharedMemoryUnregister", ProtocolGroup::kSharedMemory},
    {kInference, "TraceSetting", ProtocolGroup::kTrace},
    {kInference, "LogSettings", ProtocolGroup::kLogging},
    {kTargetAdmin, "ListTargets", ProtocolGroup::kAdmin},
    {kTargetAdmin, "AddTarget", ProtocolGroup::kAdmin},
    {kTargetAdmin, "DrainTarget", ProtocolGroup::kAdmin},
    {kTargetAdmin, "RemoveTarget", ProtocolGroup::kAdmin},
    {kDeviceAdmin, "ListDevices", ProtocolGroup::kAdmin},
};

}  // namespace

std::span<const GrpcMethodGroup> GrpcMethodGroups() { return kMethodGroups; }

std::optional<ProtocolGroup> FindGrpcMethodGroup(std::string_view service,
                                                 std::string_view method) {
  for (const GrpcMethodGroup& entry : kMethodGroups) {
    if (entry.method == method && entry.service == service) return entry.group;
  }
  return std::nullopt;
}

GrpcAccessControl::GrpcAccessControl(RestrictedGroups groups, RefusedRequests* refused)
    : groups_(std::move(groups)), refused_(refused) {}

grpc::Status GrpcAccessControl::Check(const grpc::ServerContextBase& context,
                                      std::string_view service, std::string_view method) const {
  if (groups_.empty()) return grpc::Status::OK;
  const std::optional<ProtocolGroup> group = FindGrpcMethodGroup(service, method);
  if (!group.has_value()) {
    spdlog::error(
        "refused {}/{}: the RPC has no protocol group (a bug: add it to GrpcMethodGroups)", service,
        method);
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "this RPC has no protocol group and the server restricts protocols; it "
                        "is refused");
  }
  const auto& metadata = context.client_metadata();
  const bool allowed =
      groups_.Allows(*group, [&](absl::string_view header, absl::string_view value) {
        const auto [first, last] =
            metadata.equal_range(grpc::string_ref(header.data(), header.size()));
        for (auto it = first; it != last; ++it) {
          if (HeaderValueMatches(value, absl::string_view(it->second.data(), it->second.size()))) {
            return true;
          }
        }
        return false;
      });
  if (allowed) return grpc::Status::OK;
  if (refused_ != nullptr) refused_->Count("grpc", *group);
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      absl::StrCat("This protocol is restricted, expecting header '",
                                   groups_.RequirementFor(*group)->header, "' (protocol group '",
                                   std::string(ProtocolGroupName(*group)), "')"));
}

}  // namespace inferd
