// SerialTransport: a target on a UART (a development board's USB serial port), raw 8N1 at a
// configurable baud rate.
#pragma once

#include <string>

#include "backends/ethosu/transport/transport.h"

namespace inferd::ethosu {

// Puts the terminal `fd` into raw 8N1 at `baud` with no flow control and drops pending bytes
// (boot chatter from before we opened). Shared by the transport and the host agent's serial mode.
// INVALID_ARGUMENT for a baud rate termios cannot set; UNAVAILABLE when `fd` is no terminal.
absl::Status SetRawSerialMode(int fd, int baud, const std::string& what);

struct SerialAddress {
  std::string device;
  int baud = 115200;
};
// Parses "/dev/ttyUSB0" or "/dev/ttyUSB0@921600" (default 115200 baud); INVALID_ARGUMENT for a
// baud rate termios cannot set.
absl::StatusOr<SerialAddress> ParseSerialAddress(const std::string& address);

class SerialTransport : public Transport {
 public:
  SerialTransport(std::string device, int baud);
  ~SerialTransport() override;

  // From an address ParseSerialAddress accepts.
  static absl::StatusOr<std::unique_ptr<SerialTransport>> FromAddress(const std::string& address);

  // INVALID_ARGUMENT for a baud rate termios cannot set; the device is opened once (a missing
  // device is UNAVAILABLE at once, not retried until the deadline).
  absl::Status Open(absl::Time deadline) override;
  absl::StatusOr<size_t> Read(std::span<uint8_t> buffer, absl::Time deadline) override;
  absl::Status Write(std::span<const uint8_t> bytes, absl::Time deadline) override;
  void Close() override;
  bool is_open() const override { return fd_ >= 0; }
  std::string description() const override;

 private:
  std::string device_;
  int baud_;
  int fd_ = -1;
};

}  // namespace inferd::ethosu
