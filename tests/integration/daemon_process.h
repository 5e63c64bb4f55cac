// DaemonProcess: starts the real inferd binary on ephemeral loopback ports for integration tests,
// waits for the log line that says it is ready (no sleeps), keeps its log, and stops it with
// SIGTERM.
#pragma once

#include <sys/types.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::testing {

class DaemonProcess {
 public:
  // Starts inferd with `args` added to the loopback/ephemeral-port defaults; returns once the
  // daemon logged "inferd ready", or an error with its log when it exited first.
  static absl::StatusOr<std::unique_ptr<DaemonProcess>> Start(std::vector<std::string> args);
  ~DaemonProcess();

  const std::string& grpc_address() const { return grpc_address_; }
  pid_t pid() const { return pid_; }
  int metrics_port() const { return metrics_port_; }

  // Sends SIGTERM and returns the exit status (0 for a clean shutdown).
  int Stop();

  // Everything the daemon has logged so far.
  std::string Log() const;

 private:
  DaemonProcess() = default;
  void ReadLog();

  pid_t pid_ = -1;
  int log_fd_ = -1;
  std::string grpc_address_;
  int metrics_port_ = 0;
  mutable std::mutex mutex_;
  std::string log_;
  std::thread reader_;
  bool stopped_ = false;
  int exit_status_ = -1;
};

// A GET of http://127.0.0.1:port/path; the response body.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

// The repository root (for examples/).
std::string SourceDir();

}  // namespace inferd::testing
