#include "server/device_admin_service.h"

namespace inferd {

grpc::Status DeviceAdminService::ListDevices(grpc::ServerContext* context,
                                             const admin::ListDevicesRequest*,
                                             admin::ListDevicesResponse* response) {
  if (access_ != nullptr) {
    grpc::Status refused =
        access_->Check(*context, admin::DeviceAdmin::service_full_name(), "ListDevices");
    if (!refused.ok()) return refused;
  }
  const DeviceList list = list_devices_();
  response->set_unavailable_reason(list.unavailable_reason);
  for (const DeviceStatus& status : list.devices) {
    admin::Device* device = response->add_devices();
    device->set_index(status.index);
    device->set_name(status.name);
    device->set_type(status.type);
    device->set_driver(status.driver);
    device->set_api_version(status.api_version);
    device->set_memory_total_bytes(status.memory_total_bytes);
    device->set_memory_used_bytes(status.memory_used_bytes);
    device->set_unusable_reason(status.unusable_reason);
    for (const PlacedInstance& placed : status.instances) {
      admin::DeviceInstance* instance = device->add_instances();
      instance->set_model(placed.model);
      instance->set_version(placed.version);
      instance->set_instance(placed.instance);
    }
  }
  return grpc::Status::OK;
}

}  // namespace inferd
