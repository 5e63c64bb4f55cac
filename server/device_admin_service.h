// DeviceAdminService: the gRPC DeviceAdmin service (proto/inferd_admin.proto). Lists the devices of
// the device backends (Vulkan) through a provider, so the server names no concrete backend.
#pragma once

#include <functional>
#include <utility>

#include "engine/device_status.h"
#include "inferd_admin.grpc.pb.h"

namespace inferd {

class DeviceAdminService final : public admin::DeviceAdmin::Service {
 public:
  explicit DeviceAdminService(std::function<DeviceList()> list_devices)
      : list_devices_(std::move(list_devices)) {}

  grpc::Status ListDevices(grpc::ServerContext* context, const admin::ListDevicesRequest* request,
                           admin::ListDevicesResponse* response) override;

 private:
  std::function<DeviceList()> list_devices_;
};

}  // namespace inferd
