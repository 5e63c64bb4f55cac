// TcpTransport: a target reached over TCP (a board's Ethernet agent, an emulator's UART bridged to
// a socket, or the host test agent).
#pragma once

#include <string>

#include "backends/ethosu/transport/transport.h"

namespace inferd::ethosu {

class TcpTransport : public Transport {
 public:
  TcpTransport(std::string host, int port);
  ~TcpTransport() override;

  // Parses "host:port" (IPv6 as "[::1]:port").
  static absl::StatusOr<std::unique_ptr<TcpTransport>> FromAddress(const std::string& address);

  // Connect retries with exponential backoff (10 ms doubling to 500 ms) until `deadline`, since a
  // just-started emulator listens only after it has booted.
  absl::Status Open(absl::Time deadline) override;
  absl::StatusOr<size_t> Read(std::span<uint8_t> buffer, absl::Time deadline) override;
  absl::Status Write(std::span<const uint8_t> bytes, absl::Time deadline) override;
  void Close() override;
  bool is_open() const override { return fd_ >= 0; }
  std::string description() const override;

  int port() const { return port_; }

 private:
  absl::Status ConnectOnce(absl::Time deadline);

  std::string host_;
  int port_;
  int fd_ = -1;
};

}  // namespace inferd::ethosu
