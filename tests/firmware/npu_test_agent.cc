#include "tests/firmware/npu_test_agent.h"

namespace inferd::firmware::testing {

absl::Status NpuTestAgent::Start(const ethosu_test_double_script& script) {
  ethosu_test_double_reset(&script);
  NpuMemory memory;
  memory.arena = arena_;
  memory.arena_size = kNpuTestArenaSize;
  executor_ = std::make_unique<EthosUExecutor>(memory);
  ethosu::FirmwareAgentOptions options;
  options.second_executor = executor_.get();
  server_ = std::make_unique<ethosu::FirmwareAgentServer>(options);
  return server_->Start("127.0.0.1", 0);
}

void NpuTestAgent::Stop() {
  if (server_ == nullptr) return;
  server_->Stop();
  server_.reset();
}

}  // namespace inferd::firmware::testing
