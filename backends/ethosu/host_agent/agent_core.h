// AgentCore: the target agent's request handling, built for the host so that protocol and pool
// tests run in milliseconds: a network cache keyed by content hash, and TOSA INT8 graphs run on
// the CPU backend's reference executor. It answers every request frame with the response frames a
// firmware agent would send.
//
// A host agent has no NPU. With `simulated_npu_product` set it reports that NPU in CAPABILITIES
// and synthetic (deterministic) NPU cycle and PMU counts, so that labels and counters can be
// tested end to end; those numbers measure nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "backends/ethosu/protocol/frame_codec.h"
#include "backends/ethosu/protocol/messages.h"
#include "engine/cancellation.h"

namespace inferd::cpu {
class GraphExecutor;
}

namespace inferd::ethosu {

struct AgentOptions {
  std::string name = "inferd-host-agent";
  uint32_t simulated_npu_product = 0;  // 55, 65, 85 or 0
  uint32_t simulated_npu_macs = 0;
  uint32_t max_payload = 256 * 1024;
  uint32_t network_cache_bytes = 64u << 20;
  uint32_t sram_bytes = 2u << 20;
  uint32_t dram_bytes = 64u << 20;
  // Holds every inference this long before running it (a stand-in for a slow target, for cancel
  // and failure tests). The wait ends early on cancel.
  absl::Duration inference_delay = absl::ZeroDuration();
  // Executor bits claimed beyond INFERD_TP_EXEC_TOSA_CPU, to stand in for an NPU target in pool
  // tests; networks for them are still refused at NETWORK_LOAD_BEGIN (UNSUPPORTED).
  uint32_t extra_executors = 0;
};

class AgentCore {
 public:
  explicit AgentCore(AgentOptions options);
  ~AgentCore();

  // Answers one non-inference request (PING, VERSION, CAPABILITIES, NETWORK_*, unknown types):
  // the response frame's type and payload.
  Frame Handle(const Frame& request);

  // Runs one INFERENCE_REQ to completion (or cancellation) and returns its INFERENCE_RSP.
  // Thread-safe with Handle.
  Frame RunInference(const Frame& request, CancellationToken& cancellation);

  // Counters for tests.
  uint64_t uploads_completed() const;
  uint64_t inferences_run() const;
  // Called with the request's sequence when an inference starts (before the delay).
  void set_on_inference_start(std::function<void(uint32_t)> callback);

 private:
  struct Network {
    uint32_t format = 0;
    std::vector<uint8_t> bytes;
    uint32_t crc32 = 0;
    uint32_t total = 0;
    bool complete = false;
    std::shared_ptr<cpu::GraphExecutor> executor;
    std::shared_ptr<std::mutex> run_mutex = std::make_shared<std::mutex>();
  };

  Frame LoadBegin(const Frame& request);
  Frame LoadChunk(const Frame& request);
  Frame Unload(const Frame& request);
  size_t CachedBytes() const;  // mutex_ held

  const AgentOptions options_;
  mutable std::mutex mutex_;
  std::map<NetworkId, Network> networks_;
  uint64_t uploads_completed_ = 0;
  uint64_t inferences_run_ = 0;
  std::function<void(uint32_t)> on_inference_start_;
};

}  // namespace inferd::ethosu
