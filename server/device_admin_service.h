// DeviceAdminService: the gRPC DeviceAdmin service (proto/inferd_admin.proto). Lists the devices of
// the device backends (Vulkan) through a provider, so the server names no concrete backend.
#pragma once

#include <functional>
#include <utility>

#include "engine/device_status.h"
#include "inferd_admin.grpc.pb.h"
#include "server/grpc_access_control.h"

namespace inferd {

class DeviceAdminService final : public admin::DeviceAdmin::Service {
 public:
  // `access`, when not null, decides who may call (the admin group) and must outlive this.
  DeviceAdminService(std::function<DeviceList()> list_devices, const GrpcAccessControl* access)
      : list_devices_(std::move(list_devices)), access_(access) {}

  grpc::Status ListDevices(grpc::ServerContext* context, const admin::ListDevicesRequest* request,
                           admin::ListDevicesResponse* response) override;

 private:
  std::function<DeviceList()> list_devices_;
  const GrpcAccessControl* access_;
};

}  // namespace inferd
