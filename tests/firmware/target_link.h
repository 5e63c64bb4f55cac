// Test-side host of the target protocol: encodes requests, decodes responses and talks to an agent
// either in-process (the agent core driven over an in-memory byte stream) or over TCP (the
// firmware image in QEMU). Only for tests: the daemon's real host side lives in backends/ethosu.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backends/ethosu/protocol/inferd_target_protocol.h"
#include "firmware/agent/agent.h"
#include "firmware/agent/frame_parser.h"
#include "firmware/executors/cpu_job/cpu_job_executor.h"

namespace inferd::firmware::testing {

using NetworkId = std::array<uint8_t, INFERD_TP_NETWORK_ID_SIZE>;

struct Frame {
  inferd_tp_header header{};
  std::vector<uint8_t> payload;
};

std::vector<uint8_t> EncodeFrame(uint16_t type, uint32_t sequence,
                                 std::span<const uint8_t> payload);

template <typename T>
std::span<const uint8_t> AsBytes(const T& value) {
  return {reinterpret_cast<const uint8_t*>(&value), sizeof value};
}

// A content id for tests (the daemon sends SHA-256; the agent treats ids as opaque).
NetworkId TestNetworkId(std::span<const uint8_t> bytes);

// Splits a byte stream into valid frames (the agent's own parser, so corrupt frames are skipped
// the same way on both sides).
class FrameDecoder {
 public:
  FrameDecoder();
  void Push(std::span<const uint8_t> bytes);
  std::optional<Frame> Next();

 private:
  std::vector<uint8_t> buffer_;
  FrameParser parser_;
  std::vector<uint8_t> pending_;
  size_t pending_pos_ = 0;
};

struct InferenceResult {
  inferd_tp_inference_rsp rsp{};
  std::vector<inferd_tp_tensor_desc> descs;
  std::vector<std::vector<uint8_t>> outputs;
};

struct Input {
  inferd_tp_tensor_desc desc{};
  std::vector<uint8_t> bytes;
};

// INT8 input descriptor of `dims` holding `bytes`.
Input Int8Input(std::vector<int32_t> dims, std::span<const int8_t> values);

std::vector<uint8_t> InferenceRequestPayload(const NetworkId& id, std::span<const Input> inputs,
                                             uint32_t num_outputs);
std::optional<InferenceResult> ParseInferenceResponse(std::span<const uint8_t> payload);

// A connection to one agent.
class TargetLink {
 public:
  virtual ~TargetLink() = default;
  virtual bool Send(std::span<const uint8_t> bytes) = 0;
  // The next frame, or nullopt when none comes within `timeout`.
  virtual std::optional<Frame> Receive(std::chrono::milliseconds timeout) = 0;
};

// Request/response helpers over a link, each bounded by `timeout`.
class TargetSession {
 public:
  TargetSession(TargetLink& link, std::chrono::milliseconds timeout)
      : link_(link), timeout_(timeout) {}

  uint32_t next_sequence() { return ++sequence_; }
  // Sends one request and returns the response to it (frames answering other sequences, such as
  // stray responses, are skipped).
  std::optional<Frame> Call(uint16_t type, std::span<const uint8_t> payload);
  std::optional<Frame> CallWithSequence(uint16_t type, uint32_t sequence,
                                        std::span<const uint8_t> payload);

  // Loads a network: BEGIN, then chunks of `chunk_size`. Returns the final load status (CACHED,
  // LOADED, or the failure), or nullopt on a timeout or an unexpected answer.
  std::optional<uint32_t> LoadNetwork(const NetworkId& id, std::span<const uint8_t> bytes,
                                      uint32_t format, uint32_t chunk_size,
                                      uint32_t* chunks_sent = nullptr);
  std::optional<InferenceResult> Infer(const NetworkId& id, std::span<const Input> inputs,
                                       uint32_t num_outputs);

  // The text of the ERR(DETAIL) frame that preceded the last call's response, or "".
  const std::string& last_detail() const { return last_detail_; }

 private:
  TargetLink& link_;
  std::chrono::milliseconds timeout_;
  uint32_t sequence_ = 0;
  std::string last_detail_;
};

// The agent core in-process, with the 'cpu' executor (and optionally a second one, such as the
// 'ethos-u' executor on the driver's test double), fed through memory queues.
class InMemoryAgentLink final : public TargetLink {
 public:
  struct Sizes {
    uint32_t rx_capacity = 16 * 1024;
    uint32_t network_arena = 256 * 1024;
    uint32_t scratch = 256 * 1024;
  };
  InMemoryAgentLink() : InMemoryAgentLink(Sizes{}) {}
  explicit InMemoryAgentLink(const Sizes& sizes, Executor* second_executor = nullptr);

  bool Send(std::span<const uint8_t> bytes) override;
  // Lets the agent consume everything sent so far, then returns the next frame it wrote.
  std::optional<Frame> Receive(std::chrono::milliseconds timeout) override;

  const Agent& agent() const { return *agent_; }
  Agent& mutable_agent() { return *agent_; }
  // Drops whatever was sent but not yet read by the agent (a connection that went away).
  void DropUnread() { to_agent_pos_ = to_agent_.size(); }

 private:
  static int32_t Read(void* context, uint8_t* buffer, uint32_t capacity, bool wait);
  static bool Write(void* context, const uint8_t* data, uint32_t size);

  std::vector<uint8_t> rx_;
  std::vector<uint64_t> arena_;  // uint64_t: 8-byte alignment
  std::vector<uint64_t> scratch_;
  std::unique_ptr<CpuJobExecutor> executor_;
  Executor* executors_[2] = {};
  std::unique_ptr<Agent> agent_;
  std::vector<uint8_t> to_agent_;
  size_t to_agent_pos_ = 0;
  FrameDecoder from_agent_;
  uint64_t fake_cycles_ = 0;
};

// A TCP connection (to QEMU's chardev socket).
class TcpLink final : public TargetLink {
 public:
  // Connects, retrying until `deadline` (the listener may not be up yet).
  static std::unique_ptr<TcpLink> Connect(int port, std::chrono::steady_clock::time_point deadline);
  ~TcpLink() override;

  bool Send(std::span<const uint8_t> bytes) override;
  std::optional<Frame> Receive(std::chrono::milliseconds timeout) override;

 private:
  explicit TcpLink(int fd) : fd_(fd) {}
  int fd_;
  FrameDecoder decoder_;
};

}  // namespace inferd::firmware::testing
