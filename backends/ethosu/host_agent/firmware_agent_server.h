// FirmwareAgentServer: the firmware's portable agent core (firmware/agent) with its 'cpu' executor
// (and optionally another), served over TCP on the host. It is the same agent code the Cortex-M55
// image runs, so host tests exercise the firmware's protocol handling in milliseconds, without an
// emulator.
//
// One connection at a time (like a UART); the network cache survives reconnects.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"

namespace inferd::firmware {
class Executor;
}

namespace inferd::ethosu {

struct FirmwareAgentOptions {
  uint32_t rx_capacity = 64 * 1024;         // CAPABILITIES.max_payload
  uint32_t network_arena_bytes = 4u << 20;  // network cache
  uint32_t scratch_bytes = 1u << 20;        // executor scratch
  // A second executor beside the 'cpu' one, owned by the caller (tests: the 'ethos-u' executor
  // built against the driver's test double); null: none.
  firmware::Executor* second_executor = nullptr;
};

class FirmwareAgentServer {
 public:
  explicit FirmwareAgentServer(FirmwareAgentOptions options = {});
  ~FirmwareAgentServer();

  // Listens on `address`:`port` (0: any free port) and serves in a background thread.
  absl::Status Start(const std::string& address, int port);
  int port() const { return port_; }
  // Closes the listener and the current connection and joins the thread. Idempotent.
  void Stop();

 private:
  struct State;
  void Run();

  FirmwareAgentOptions options_;
  std::unique_ptr<State> state_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connection_fd_{-1};
  std::thread thread_;
};

}  // namespace inferd::ethosu
