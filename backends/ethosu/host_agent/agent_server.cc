#include "backends/ethosu/host_agent/agent_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "backends/ethosu/host_agent/tcp_listener.h"
#include "backends/ethosu/transport/serial_transport.h"

namespace inferd::ethosu {

struct AgentServer::Connection {
  int fd = -1;
  bool is_socket = true;
  std::mutex write_mutex;
  bool closed = false;  // write_mutex held: after Stop(), nothing more is sent

  // Two threads serve a connection, taking turns: the one that reads an INFERENCE_REQ runs it
  // and answers it itself, after handing reading over to the other, which meanwhile answers
  // PING and CANCEL. A request thus runs on the thread that received it, with no hand-over on
  // its way.
  std::mutex jobs_mutex;
  std::condition_variable jobs_cv;
  bool reading = false;  // a thread holds the reader's turn
  uint32_t running_sequence = 0;
  std::shared_ptr<CancellationToken> running;  // set from receipt until the reply is sent
  bool finished = false;                       // the stream ended or Stop(): both threads leave
  int threads_left = 2;                        // the last one out closes the descriptor
  FrameDecoder decoder;                        // used by the thread whose turn it is to read

  void Send(const Frame& frame) {
    const std::vector<uint8_t> bytes = EncodeFrame(frame.type, frame.sequence, frame.payload);
    std::lock_guard lock(write_mutex);
    if (closed) return;
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = is_socket
                            ? ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL)
                            : ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // the host went away; the reader notices
      done += static_cast<size_t>(n);
    }
  }

  void CancelRunning() {
    std::lock_guard lock(jobs_mutex);
    if (running) running->Cancel();
  }
};

AgentServer::AgentServer(std::shared_ptr<AgentCore> core)
    : core_(std::move(core)), wake_fd_(::eventfd(0, EFD_CLOEXEC)) {}

AgentServer::~AgentServer() {
  Stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

absl::Status AgentServer::Start(const std::string& address, int port) {
  auto listener = ListenTcp(address, port, 16);
  if (!listener.ok()) return listener.status();
  listen_fd_ = listener->fd;
  port_ = listener->port;
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return absl::OkStatus();
}

absl::Status AgentServer::StartSerial(const std::string& device, int baud) {
  const int fd = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(device, ": cannot open: ", std::strerror(errno)));
  }
  if (auto status = SetRawSerialMode(fd, baud, device); !status.ok()) {
    ::close(fd);
    return status;
  }
  ServeFd(fd, /*is_socket=*/false);
  return absl::OkStatus();
}

void AgentServer::ServeFd(int fd, bool is_socket) {
  auto connection = std::make_shared<Connection>();
  connection->fd = fd;
  connection->is_socket = is_socket;
  std::lock_guard lock(mutex_);
  if (stopping_.load()) {
    ::close(fd);
    return;
  }
  connections_.push_back(connection);
  threads_.emplace_back([this, connection] { Serve(connection); });
  threads_.emplace_back([this, connection] { Serve(connection); });
}

void AgentServer::AcceptLoop() {
  while (!stopping_.load()) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // the listening socket was shut down
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ServeFd(fd, /*is_socket=*/true);
  }
}

std::optional<Frame> AgentServer::ReadUntilInference(Connection& connection) {
  uint8_t buffer[16384];
  pollfd fds[2] = {{connection.fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    // Frames already decoded first: the previous reader may have left some.
    while (auto frame = connection.decoder.Next()) {
      if (frame->type == INFERD_TP_MSG_INFERENCE_REQ) {
        std::lock_guard lock(connection.jobs_mutex);
        if (connection.running) {
          // One job at a time, as on a target with one NPU.
          connection.Send(Frame{INFERD_TP_MSG_ERR, frame->sequence,
                                EncodeError(INFERD_TP_ERR_BUSY, "an inference is running")});
          continue;
        }
        connection.running = std::make_shared<CancellationToken>();
        connection.running_sequence = frame->sequence;
        return std::move(*frame);
      }
      if (frame->type == INFERD_TP_MSG_CANCEL_REQ) {
        inferd_tp_cancel_rsp rsp{};
        auto cancel = ParseStruct<inferd_tp_cancel_req>(frame->payload, "CANCEL_REQ");
        if (!cancel.ok()) {
          connection.Send(Frame{INFERD_TP_MSG_ERR, frame->sequence,
                                EncodeError(INFERD_TP_ERR_BAD_PAYLOAD, cancel.status().message())});
          continue;
        }
        rsp.sequence = cancel->sequence;
        std::shared_ptr<CancellationToken> token;
        {
          std::lock_guard lock(connection.jobs_mutex);
          if (connection.running && connection.running_sequence == cancel->sequence) {
            token = connection.running;
          }
        }
        rsp.status = token ? 0 : 1;
        // Acknowledge first, so the CANCEL_RSP precedes the job's final INFERENCE_RSP.
        connection.Send(Frame{INFERD_TP_MSG_CANCEL_RSP, frame->sequence, StructBytes(rsp)});
        if (token) token->Cancel();
        continue;
      }
      connection.Send(core_->Handle(*frame));
    }
    if (stopping_.load()) return std::nullopt;
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (fds[1].revents != 0) return std::nullopt;  // Stop()
    const ssize_t n = ::read(connection.fd, buffer, sizeof(buffer));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return std::nullopt;  // the host closed the connection, or the line hung up (EIO)
    connection.decoder.Feed(std::span<const uint8_t>(buffer, static_cast<size_t>(n)));
  }
}

void AgentServer::Serve(std::shared_ptr<Connection> connection) {
  std::unique_lock lock(connection->jobs_mutex);
  while (true) {
    connection->jobs_cv.wait(lock, [&] { return connection->finished || !connection->reading; });
    if (connection->finished) break;
    connection->reading = true;
    lock.unlock();
    std::optional<Frame> request = ReadUntilInference(*connection);
    lock.lock();
    connection->reading = false;
    if (!request) {
      connection->finished = true;
      if (connection->running) connection->running->Cancel();
      connection->jobs_cv.notify_all();
      break;
    }
    const std::shared_ptr<CancellationToken> token = connection->running;
    lock.unlock();
    // The other thread reads while this one runs the job (notified unlocked, so that it does not
    // wake only to wait for the mutex).
    connection->jobs_cv.notify_one();
    const Frame reply = core_->RunInference(*request, *token);
    lock.lock();
    // Cleared before the reply goes out: the host may send the next job as soon as it reads it.
    connection->running.reset();
    lock.unlock();
    connection->Send(reply);
    lock.lock();
  }
  if (--connection->threads_left > 0) return;
  rejected_frames_ += connection->decoder.rejected_frames();
  lock.unlock();
  std::lock_guard servers_lock(mutex_);
  {
    std::lock_guard write_lock(connection->write_mutex);
    ::close(connection->fd);
    connection->fd = -1;
    connection->closed = true;
  }
  std::erase(connections_, connection);
}

void AgentServer::Stop() {
  {
    std::lock_guard lock(stopped_mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  stopping_.store(true);
  {
    // Connections go quiet before anything wakes up, so that a job cut short answers nobody: as
    // if the target lost power.
    std::lock_guard lock(mutex_);
    for (auto& connection : connections_) {
      std::lock_guard write_lock(connection->write_mutex);
      connection->closed = true;
      if (connection->fd >= 0 && connection->is_socket) ::shutdown(connection->fd, SHUT_RDWR);
    }
  }
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
  }
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    for (auto& connection : connections_) connection->CancelRunning();
    threads.swap(threads_);
  }
  for (auto& thread : threads) thread.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

}  // namespace inferd::ethosu
