#include "tests/integration/daemon_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <regex>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

#ifndef INFERD_BINARY
#error "INFERD_BINARY must name the daemon under test"
#endif
#ifndef INFERD_SOURCE_DIR
#error "INFERD_SOURCE_DIR must name the repository root"
#endif

namespace inferd::testing {

std::string SourceDir() { return INFERD_SOURCE_DIR; }

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(std::vector<std::string> args) {
  std::vector<std::string> argv_strings = {INFERD_BINARY,      "--grpc-address=127.0.0.1",
                                           "--grpc-port=0",    "--metrics-address=127.0.0.1",
                                           "--metrics-port=0", "--admin-address=127.0.0.1",
                                           "--admin-port=0",   "--http-address=127.0.0.1",
                                           "--http-port=0"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execv(argv[0], argv.data());
    std::perror("execv inferd");
    _exit(127);
  }
  close(pipe_fds[1]);

  std::unique_ptr<DaemonProcess> daemon(new DaemonProcess());
  daemon->pid_ = pid;
  daemon->log_fd_ = pipe_fds[0];

  // Read the log line by line until the daemon says it is ready — or its log ends because it
  // exited.
  const std::regex grpc_line(R"(gRPC listening on [^ ]*:(\d+))");
  const std::regex metrics_line(R"(metrics listening on [^ ]*:(\d+))");
  const std::regex admin_line(R"(admin listening on [^ ]*:(\d+))");
  const std::regex http_line(R"(HTTP listening on [^ ]*:(\d+))");
  std::string line;
  char c;
  bool ready = false;
  while (!ready && read(daemon->log_fd_, &c, 1) == 1) {
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    std::smatch match;
    if (std::regex_search(line, match, grpc_line)) {
      daemon->grpc_address_ = absl::StrCat("127.0.0.1:", match[1].str());
    }
    if (std::regex_search(line, match, metrics_line)) daemon->metrics_port_ = std::stoi(match[1]);
    if (std::regex_search(line, match, http_line)) daemon->http_port_ = std::stoi(match[1]);
    if (std::regex_search(line, match, admin_line)) {
      daemon->admin_address_ = absl::StrCat("127.0.0.1:", match[1].str());
    }
    if (line.find("inferd ready") != std::string::npos) ready = true;
    daemon->log_ += line + "\n";
    line.clear();
  }
  if (!ready) {
    const std::string log = daemon->log_;
    daemon->Stop();
    return absl::InternalError(absl::StrCat("inferd exited before it was ready; its log:\n", log));
  }
  // Keep draining the log so that the daemon never blocks on a full pipe.
  daemon->reader_ = std::thread([d = daemon.get()] { d->ReadLog(); });
  return daemon;
}

void DaemonProcess::ReadLog() {
  char buffer[4096];
  ssize_t count;
  while ((count = read(log_fd_, buffer, sizeof(buffer))) > 0) {
    std::lock_guard lock(mutex_);
    log_.append(buffer, static_cast<size_t>(count));
    log_grew_.notify_all();
  }
  std::lock_guard lock(mutex_);
  log_ended_ = true;
  log_grew_.notify_all();
}

bool DaemonProcess::WaitForLog(std::string_view text, absl::Duration limit) {
  std::unique_lock lock(mutex_);
  return log_grew_.wait_for(lock, absl::ToChronoNanoseconds(limit), [&] {
    return log_.find(text) != std::string::npos || log_ended_;
  }) && log_.find(text) != std::string::npos;
}

void DaemonProcess::SendSignal(int signal_number) {
  if (!stopped_) kill(pid_, signal_number);
}

int DaemonProcess::WaitForExit() {
  if (stopped_) return exit_status_;
  stopped_ = true;
  int status = 0;
  waitpid(pid_, &status, 0);
  if (reader_.joinable()) reader_.join();
  close(log_fd_);
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_status_;
}

std::string DaemonProcess::Log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

int DaemonProcess::Stop() {
  SendSignal(SIGTERM);
  return WaitForExit();
}

DaemonProcess::~DaemonProcess() {
  Stop();
  // In the sanitizer builds (scripts/sanitizers.sh) a report ends the daemon; fail the test that
  // started it even when the test did not look at the exit status.
  const std::string log = Log();
  for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "runtime error:", "WARNING: ThreadSanitizer"}) {
    if (log.find(report) != std::string::npos) {
      ADD_FAILURE() << "the daemon reported \"" << report << "\"; its log:\n" << log;
      break;
    }
  }
}

absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot connect to 127.0.0.1:", port));
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::InternalError("short write");
  }
  std::string response;
  char buffer[8192];
  ssize_t count;
  while ((count = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, count);
  close(fd);
  const auto body = response.find("\r\n\r\n");
  if (response.compare(0, 12, "HTTP/1.1 200") != 0 &&
      response.compare(0, 12, "HTTP/1.0 200") != 0) {
    return absl::InternalError(absl::StrCat("GET ", path, ": ", response.substr(0, body)));
  }
  return body == std::string::npos ? "" : response.substr(body + 4);
}

}  // namespace inferd::testing
