// EmulatorTransport: starts an emulator (QEMU mps3-an547, a Corstone FVP) from a command template,
// connects to the TCP socket its UART is redirected to, and kills it on Close.
//
// The template's {port} is replaced by a free local port chosen at Open and {image} by the firmware
// image path, e.g.
//   qemu-system-arm -M mps3-an547 -nographic -kernel {image}
//       -serial tcp:127.0.0.1:{port},server=on,wait=off
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "backends/ethosu/transport/tcp_transport.h"
#include "backends/ethosu/transport/transport.h"

namespace inferd::ethosu {

// The command line with {image} and {port} substituted.
std::string ExpandEmulatorCommand(const std::string& command_template, const std::string& image,
                                  int port);

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
absl::StatusOr<int> PickFreeLocalPort();

class EmulatorTransport : public Transport {
 public:
  EmulatorTransport(std::string command_template, std::string image);
  ~EmulatorTransport() override;

  // Starts the emulator in its own process group and connects with retry and backoff until
  // `deadline`; fails early, with the exit status, when the emulator dies while we wait.
  absl::Status Open(absl::Time deadline) override;
  absl::StatusOr<size_t> Read(std::span<uint8_t> buffer, absl::Time deadline) override;
  absl::Status Write(std::span<const uint8_t> bytes, absl::Time deadline) override;
  // Closes the socket and kills the emulator's whole process group.
  void Close() override;
  bool is_open() const override { return tcp_ != nullptr && tcp_->is_open(); }
  std::string description() const override;

  pid_t pid() const { return pid_; }

 private:
  void KillEmulator();
  // Reaps the child if it has exited; true when it has (status in `exit_text`).
  bool ChildExited(std::string& exit_text);

  std::string command_template_;
  std::string image_;
  std::string command_;
  pid_t pid_ = -1;
  std::unique_ptr<TcpTransport> tcp_;
};

}  // namespace inferd::ethosu
