// AgentServer: serves AgentCore over TCP connections or a serial line. Each connection has two
// threads that take turns reading: the one that receives an inference runs it and answers it,
// while the other answers PING and CANCEL (as firmware does between operators). No thread is
// started per inference and no request changes threads on its way. Abort() drops every
// connection at once: a target that died mid-job, for tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/ethosu/host_agent/agent_core.h"

namespace inferd::ethosu {

class AgentServer {
 public:
  explicit AgentServer(std::shared_ptr<AgentCore> core);
  ~AgentServer();

  // Listens on 127.0.0.1:`port` (0: any free port) and serves in background threads.
  absl::Status Start(const std::string& address, int port);
  int port() const { return port_; }

  // Serves the one connection a serial line is: opens `device` (a UART, or one end of a
  // pseudo-terminal pair), sets raw 8N1 at `baud` and serves it in background threads.
  absl::Status StartSerial(const std::string& device, int baud);
  // Serves an already open terminal or socket; the server owns `fd` from then on.
  void ServeFd(int fd, bool is_socket);

  // Stops accepting and closes every connection; running jobs are cancelled. Idempotent.
  void Stop();
  // Same as Stop: named for what tests simulate with it (the target vanished mid-job).
  void Abort() { Stop(); }

  AgentCore& core() { return *core_; }
  // Frames dropped by connections' decoders (corrupt or noise), for tests.
  uint64_t rejected_frames() const { return rejected_frames_.load(); }

 private:
  struct Connection;
  void AcceptLoop();
  void Serve(std::shared_ptr<Connection> connection);
  // Answers frames until an INFERENCE_REQ to run (marked running) arrives; nullopt when the
  // stream ends or the server stops.
  std::optional<Frame> ReadUntilInference(Connection& connection);

  std::shared_ptr<AgentCore> core_;
  int listen_fd_ = -1;
  int port_ = 0;
  int wake_fd_ = -1;  // an eventfd: readable once Stop() has begun, waking every reader
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> rejected_frames_{0};
  std::mutex stopped_mutex_;
  bool stopped_ = false;
};

}  // namespace inferd::ethosu
