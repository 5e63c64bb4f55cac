#include "backends/ethosu/host_agent/firmware_agent_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backends/ethosu/host_agent/tcp_listener.h"
#include "firmware/agent/agent.h"
#include "firmware/executors/cpu_job/cpu_job_executor.h"

namespace inferd::ethosu {
namespace {

// firmware::ByteStream over a connected socket.
int32_t SocketRead(void* context, uint8_t* buffer, uint32_t capacity, bool wait) {
  const int fd = *static_cast<int*>(context);
  while (true) {
    const ssize_t n = ::recv(fd, buffer, capacity, wait ? 0 : MSG_DONTWAIT);
    if (n > 0) return static_cast<int32_t>(n);
    if (n == 0) return -1;
    if (errno == EINTR) continue;
    if (!wait && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return -1;
  }
}

bool SocketWrite(void* context, const uint8_t* data, uint32_t size) {
  const int fd = *static_cast<int*>(context);
  uint32_t done = 0;
  while (done < size) {
    const ssize_t n = ::send(fd, data + done, size - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<uint32_t>(n);
  }
  return true;
}

uint64_t SteadyNanos(void*) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

struct FirmwareAgentServer::State {
  explicit State(const FirmwareAgentOptions& options)
      : rx(options.rx_capacity),
        arena(options.network_arena_bytes + 16),
        scratch(options.scratch_bytes + 8),
        executor(Align(scratch.data()), options.scratch_bytes) {
    executors[0] = &executor;
    executors[1] = options.second_executor;
    firmware::AgentConfig config;
    config.stream.context = &fd;
    config.stream.read = SocketRead;
    config.stream.write = SocketWrite;
    config.cycles.now = SteadyNanos;
    config.target.target_name = "host-firmware-core";
    config.target.sram_size = options.scratch_bytes;
    config.target.dram_size = options.network_arena_bytes;
    config.rx_buffer = rx.data();
    config.rx_capacity = options.rx_capacity;
    config.network_arena = Align(arena.data());
    config.network_arena_size = options.network_arena_bytes;
    config.executors = executors;
    config.executor_count = options.second_executor != nullptr ? 2 : 1;
    agent = std::make_unique<firmware::Agent>(config);
  }

  static uint8_t* Align(uint8_t* p) {
    return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(p) + 7) & ~uintptr_t{7});
  }

  int fd = -1;
  std::vector<uint8_t> rx;
  std::vector<uint8_t> arena;
  std::vector<uint8_t> scratch;
  firmware::CpuJobExecutor executor;
  firmware::Executor* executors[2] = {};
  std::unique_ptr<firmware::Agent> agent;
};

FirmwareAgentServer::FirmwareAgentServer(FirmwareAgentOptions options)
    : options_(options), state_(std::make_unique<State>(options_)) {}

FirmwareAgentServer::~FirmwareAgentServer() { Stop(); }

absl::Status FirmwareAgentServer::Start(const std::string& address, int port) {
  auto listener = ListenTcp(address, port, 4);
  if (!listener.ok()) return listener.status();
  listen_fd_ = listener->fd;
  port_ = listener->port;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void FirmwareAgentServer::Run() {
  while (!stopping_.load()) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    state_->fd = fd;
    connection_fd_.store(fd);
    if (stopping_.load()) ::shutdown(fd, SHUT_RDWR);
    state_->agent->ResetStream();
    state_->agent->Serve();  // until the host disconnects or Stop shuts the socket
    connection_fd_.store(-1);
    ::close(fd);
  }
}

void FirmwareAgentServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  const int fd = connection_fd_.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

}  // namespace inferd::ethosu
