// What a device backend reports about its devices, for the DeviceAdmin API and `inferctl devices`,
// without the server knowing which backend it is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace inferd {

struct PlacedInstance {
  std::string model;
  int64_t version = 0;
  int instance = 0;
};

struct DeviceStatus {
  uint32_t index = 0;
  std::string name;
  std::string type;
  std::string driver;
  std::string api_version;
  uint64_t memory_total_bytes = 0;
  uint64_t memory_used_bytes = 0;
  std::string unusable_reason;  // empty when usable
  std::vector<PlacedInstance> instances;
};

struct DeviceList {
  std::vector<DeviceStatus> devices;
  std::string unavailable_reason;  // why there are none, when there are none
};

}  // namespace inferd
