// The inferd target agent: answers the host's framed requests (backends/ethosu/protocol) over one
// byte stream, keeps networks in a NetworkCache and runs them through the Executor registered for
// their format. Freestanding: no heap, no exceptions, no OS; every buffer is handed in. The same
// sources build into the Cortex-M firmware and into host programs and tests.
#ifndef INFERD_FIRMWARE_AGENT_AGENT_H_
#define INFERD_FIRMWARE_AGENT_AGENT_H_

#include <stdint.h>

#include "backends/ethosu/protocol/inferd_target_protocol.h"
#include "firmware/agent/byte_stream.h"
#include "firmware/agent/executor.h"
#include "firmware/agent/frame_parser.h"
#include "firmware/agent/network_cache.h"

namespace inferd::firmware {

// What CAPABILITIES reports about the machine (the executors add their bits).
struct TargetDescription {
  const char* target_name = "";  // e.g. "mps3-an547"
  uint32_t cpu_clock_hz = 0;
  uint32_t sram_size = 0;
  uint32_t dram_size = 0;
  uint32_t npu_product = 0;  // 0: none
  uint32_t npu_macs = 0;
  uint32_t npu_version = 0;
  uint32_t pmu_counters = 0;
};

struct AgentConfig {
  ByteStream stream;
  CycleCounter cycles;
  TargetDescription target;
  // Receive buffer: the largest payload accepted (advertised as CAPABILITIES.max_payload).
  uint8_t* rx_buffer = nullptr;
  uint32_t rx_capacity = 0;
  // Network cache memory.
  uint8_t* network_arena = nullptr;
  uint32_t network_arena_size = 0;
  // Executors by format; at most kMaxExecutors.
  Executor* const* executors = nullptr;
  uint32_t executor_count = 0;
  // Executors this image was built without (e.g. "ethos-u" when the NPU driver was not given to
  // the build), so that the VERSION reply says so instead of leaving a host to guess; null: none.
  const char* executors_not_built = nullptr;
};

inline constexpr uint32_t kAgentVersion = (0u << 16) | (1u << 8) | 0u;  // 0.1.0
inline constexpr const char* kAgentName = "inferd-agent";

class Agent : private RunControl {
 public:
  explicit Agent(const AgentConfig& config);

  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Serves until the stream closes or fails.
  void Serve();

  // Handles the bytes available now (with `wait`, blocks for at least one). False when the
  // stream closed or failed. For hosts that multiplex the agent with other work.
  bool Poll(bool wait);

  // Starts over on a new connection (a host program accepting TCP clients one after another):
  // forgets a partly received frame and a failed stream, keeps the network cache.
  void ResetStream();

  const NetworkCache& cache() const { return cache_; }
  const FrameParser& parser() const { return parser_; }

 private:
  static constexpr uint32_t kReadChunk = 256;

  // Feeds buffered bytes to the parser and handles each frame; `busy` while a job runs.
  bool Pump(bool wait, bool busy);
  void HandleFrame();
  void HandleFrameWhileBusy();

  void Reply(uint16_t type, const void* payload, uint32_t size);
  void ReplyError(uint32_t code, const char* text);
  // Sends an executor's failure detail (ERR DETAIL) ahead of the response it explains.
  void ReplyDetail(uint32_t sequence, const Executor& executor);
  void HandlePing();
  void HandleVersion();
  void HandleCapabilities();
  void HandleLoadBegin();
  void HandleLoadChunk();
  void HandleUnload();
  void HandleInference();
  void HandleCancel(bool busy);
  void ReplyLoad(const uint8_t* id, uint32_t status, uint32_t bytes_received);
  void ReplyInference(uint32_t sequence, uint32_t status, const RunCounters& counters,
                      uint64_t cpu_cycles, const TensorView* outputs, uint32_t output_count);
  Executor* ExecutorFor(uint32_t format) const;
  uint64_t Now() const;

  // RunControl.
  bool ShouldStop() override;

  AgentConfig config_;
  FrameParser parser_;
  NetworkCache cache_;
  uint8_t read_buffer_[kReadChunk] = {};
  uint32_t read_pos_ = 0;
  uint32_t read_len_ = 0;
  bool stream_failed_ = false;
  // The running inference, for CANCEL.
  bool running_ = false;
  uint32_t running_sequence_ = 0;
  bool cancel_requested_ = false;
};

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_AGENT_AGENT_H_
