// DaemonProcess: starts the real inferd binary on ephemeral loopback ports for integration tests,
// waits for the log line that says it is ready (no sleeps), keeps its log, and stops it with
// SIGTERM. The admin listener is off unless the test passes --allow-admin=true; it then listens
// on an ephemeral loopback port too (admin_address()).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

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
  // The HTTP/REST port; 0 when the daemon runs with --allow-http=false.
  int http_port() const { return http_port_; }
  // "127.0.0.1:PORT" of the admin listener; empty when the daemon runs without --allow-admin.
  const std::string& admin_address() const { return admin_address_; }

  // Sends SIGTERM and returns the exit status (0 for a clean shutdown).
  int Stop();

  // Sends `signal_number` without waiting, for tests that act while the daemon shuts down.
  void SendSignal(int signal_number);
  // Waits for the process to exit (after SendSignal) and returns its exit status.
  int WaitForExit();
  // Blocks until the log contains `text` (true) or `limit` passes or the log ends (false): an
  // event to wait for, never a sleep.
  bool WaitForLog(std::string_view text, absl::Duration limit);

  // Everything the daemon has logged so far.
  std::string Log() const;

 private:
  DaemonProcess() = default;
  void ReadLog();

  pid_t pid_ = -1;
  int log_fd_ = -1;
  std::string grpc_address_;
  std::string admin_address_;
  int metrics_port_ = 0;
  int http_port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable log_grew_;
  bool log_ended_ = false;
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
