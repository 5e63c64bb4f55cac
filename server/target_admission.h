// TargetAdmission: what the TargetAdmin API may add to the target pool. Only the operator's
// --targets-config may name emulator targets (which start a process); over the network, tcp
// targets must match --admin-allowed-tcp-targets and serial targets --admin-allowed-serial-devices,
// both empty (nothing allowed) by default. Decided from the request alone, before any connection
// or open, so that a refusal says nothing about what is listening where.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "backends/ethosu/target_config.h"

namespace inferd {

// host:port patterns, e.g. "127.0.0.1:7000-7100,board1.lab:5000,[::1]:9000". Hosts compare as
// written (ASCII case-insensitively), not after name resolution: "localhost:7000" does not allow
// "127.0.0.1:7000".
class TcpTargetAllowList {
 public:
  // "" allows nothing. INVALID_ARGUMENT naming the bad entry otherwise.
  static absl::StatusOr<TcpTargetAllowList> Parse(absl::string_view text);

  // `address` as a TargetSpec carries it ("host:port", "[v6]:port").
  bool Allows(absl::string_view address) const;
  bool empty() const { return patterns_.empty(); }
  // The entries as parsed, comma-separated (for the start-up log).
  std::string ToString() const;

 private:
  struct Pattern {
    std::string host;
    uint16_t first_port = 0;
    uint16_t last_port = 0;
  };
  std::vector<Pattern> patterns_;
};

// Exact device paths, e.g. "/dev/ttyUSB0,/dev/ttyACM1". A serial address "/dev/ttyUSB0@921600"
// matches "/dev/ttyUSB0" whatever its baud rate.
class SerialDeviceAllowList {
 public:
  // "" allows nothing. INVALID_ARGUMENT for a path that is not absolute.
  static absl::StatusOr<SerialDeviceAllowList> Parse(absl::string_view text);

  bool Allows(absl::string_view address) const;
  bool empty() const { return devices_.empty(); }
  std::string ToString() const;

 private:
  std::vector<std::string> devices_;
};

// Bounds on what a client may write into the pool: target names become metric labels and log
// lines, and a long connect timeout would hold the AddTarget call (and its thread) that long.
struct TargetRequestLimits {
  size_t max_name_length = 64;
  size_t max_address_length = 256;
  size_t max_labels = 16;
  size_t max_label_key_length = 64;
  size_t max_label_value_length = 128;
  absl::Duration max_connect_timeout = absl::Seconds(60);
  absl::Duration max_job_timeout = absl::Hours(1);
};

class TargetAdmission {
 public:
  TargetAdmission() = default;  // allows nothing
  TargetAdmission(TcpTargetAllowList tcp, SerialDeviceAllowList serial,
                  TargetRequestLimits limits = {});

  // From the two flags' values; INVALID_ARGUMENT naming the flag and the bad entry.
  static absl::StatusOr<TargetAdmission> FromFlags(absl::string_view allowed_tcp_targets,
                                                   absl::string_view allowed_serial_devices);

  // OK when a client may add `config`. PERMISSION_DENIED for an emulator target, or a tcp/serial
  // address outside the allow-lists; INVALID_ARGUMENT for a name, label, address or timeout
  // outside the limits. The message says why and what the operator can do.
  absl::Status Check(const ethosu::TargetConfig& config) const;

  // For the start-up log: what the API may add.
  std::string Describe() const;

 private:
  TcpTargetAllowList tcp_;
  SerialDeviceAllowList serial_;
  TargetRequestLimits limits_;
};

}  // namespace inferd
