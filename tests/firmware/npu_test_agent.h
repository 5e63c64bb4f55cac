// An NPU target for the host's tests: the firmware's agent core with the 'ethos-u' executor on the
// NPU driver's test double, served over loopback TCP. The double's script says what the "NPU"
// computes (tests/firmware/ethosu_driver_test_double/).
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "backends/ethosu/host_agent/firmware_agent_server.h"
#include "firmware/executors/ethos_u/ethos_u_executor.h"
#include "tests/firmware/ethosu_driver_test_double/ethosu_driver_test_double_control.h"

namespace inferd::firmware::testing {

inline constexpr uint32_t kNpuTestArenaSize = 64 * 1024;

class NpuTestAgent {
 public:
  NpuTestAgent() = default;
  ~NpuTestAgent() { Stop(); }
  NpuTestAgent(const NpuTestAgent&) = delete;
  NpuTestAgent& operator=(const NpuTestAgent&) = delete;

  // Resets the driver double to `script` and serves on an ephemeral loopback port.
  absl::Status Start(const ethosu_test_double_script& script);
  void Stop();
  int port() const { return server_ == nullptr ? 0 : server_->port(); }

 private:
  alignas(16) uint8_t arena_[kNpuTestArenaSize] = {};
  std::unique_ptr<EthosUExecutor> executor_;
  std::unique_ptr<ethosu::FirmwareAgentServer> server_;
};

}  // namespace inferd::firmware::testing
