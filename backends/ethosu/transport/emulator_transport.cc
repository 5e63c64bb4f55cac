#include "backends/ethosu/transport/emulator_transport.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"

namespace inferd::ethosu {

std::string ExpandEmulatorCommand(const std::string& command_template, const std::string& image,
                                  int port) {
  return absl::StrReplaceAll(command_template,
                             {{"{image}", image}, {"{port}", std::to_string(port)}});
}

absl::StatusOr<int> PickFreeLocalPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::InternalError(absl::StrCat("cannot pick a free port: ", std::strerror(error)));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

EmulatorTransport::EmulatorTransport(std::string command_template, std::string image)
    : command_template_(std::move(command_template)), image_(std::move(image)) {}

EmulatorTransport::~EmulatorTransport() { Close(); }

std::string EmulatorTransport::description() const {
  return absl::StrCat("emulator[", command_.empty() ? command_template_ : command_, "]");
}

bool EmulatorTransport::ChildExited(std::string& exit_text) {
  if (pid_ <= 0) return true;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done != pid_) return false;
  pid_ = -1;
  exit_text = WIFEXITED(status)     ? absl::StrCat("exited with status ", WEXITSTATUS(status))
              : WIFSIGNALED(status) ? absl::StrCat("killed by signal ", WTERMSIG(status))
                                    : "stopped";
  return true;
}

absl::Status EmulatorTransport::Open(absl::Time deadline) {
  Close();
  auto port = PickFreeLocalPort();
  if (!port.ok()) return port.status();
  command_ = ExpandEmulatorCommand(command_template_, image_, *port);
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    // Own process group, so Close can kill whatever the shell starts; the emulator's console
    // output goes to our stderr for diagnosis.
    ::setpgid(0, 0);
    const std::string exec_command = "exec " + command_;
    ::execl("/bin/sh", "sh", "-c", exec_command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  pid_ = pid;
  tcp_ = std::make_unique<TcpTransport>("127.0.0.1", *port);
  absl::Duration backoff = absl::Milliseconds(20);
  while (true) {
    // Short single attempts so that an emulator that died is noticed between them.
    absl::Status status = tcp_->Open(std::min(deadline, absl::Now() + absl::Milliseconds(200)));
    if (status.ok()) return absl::OkStatus();
    std::string exit_text;
    if (ChildExited(exit_text)) {
      tcp_.reset();
      return absl::UnavailableError(
          absl::StrCat(description(), ": emulator ", exit_text, " before accepting a connection"));
    }
    if (absl::Now() + backoff >= deadline) {
      KillEmulator();
      tcp_.reset();
      return absl::DeadlineExceededError(
          absl::StrCat(description(), ": not reachable in time: ", status.message()));
    }
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(backoff));
    backoff = std::min(backoff * 2, absl::Milliseconds(500));
  }
}

absl::StatusOr<size_t> EmulatorTransport::Read(std::span<uint8_t> buffer, absl::Time deadline) {
  if (tcp_ == nullptr) return absl::UnavailableError(absl::StrCat(description(), ": not open"));
  return tcp_->Read(buffer, deadline);
}

absl::Status EmulatorTransport::Write(std::span<const uint8_t> bytes, absl::Time deadline) {
  if (tcp_ == nullptr) return absl::UnavailableError(absl::StrCat(description(), ": not open"));
  return tcp_->Write(bytes, deadline);
}

void EmulatorTransport::KillEmulator() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void EmulatorTransport::Close() {
  if (tcp_ != nullptr) tcp_->Close();
  tcp_.reset();
  KillEmulator();
}

}  // namespace inferd::ethosu
