#include "backends/ethosu/host_agent/agent_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backends/ethosu/host_agent/tcp_listener.h"

namespace inferd::ethosu {

struct AgentServer::Connection {
  int fd = -1;
  std::mutex write_mutex;
  std::mutex jobs_mutex;
  // Running inferences by request sequence, for CANCEL.
  std::map<uint32_t, std::shared_ptr<CancellationToken>> jobs;
  std::vector<std::thread> workers;

  void Send(const Frame& frame) {
    const std::vector<uint8_t> bytes = EncodeFrame(frame.type, frame.sequence, frame.payload);
    std::lock_guard lock(write_mutex);
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // the host went away; the reader notices
      done += static_cast<size_t>(n);
    }
  }

  void CancelAll() {
    std::lock_guard lock(jobs_mutex);
    for (auto& [sequence, token] : jobs) token->Cancel();
  }
};

AgentServer::AgentServer(std::shared_ptr<AgentCore> core) : core_(std::move(core)) {}

AgentServer::~AgentServer() { Stop(); }

absl::Status AgentServer::Start(const std::string& address, int port) {
  auto listener = ListenTcp(address, port, 16);
  if (!listener.ok()) return listener.status();
  listen_fd_ = listener->fd;
  port_ = listener->port;
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return absl::OkStatus();
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
    auto connection = std::make_shared<Connection>();
    connection->fd = fd;
    std::lock_guard lock(mutex_);
    if (stopping_.load()) {
      ::close(fd);
      return;
    }
    connections_.push_back(connection);
    threads_.emplace_back([this, connection] { Serve(connection); });
  }
}

void AgentServer::Serve(std::shared_ptr<Connection> connection) {
  FrameDecoder decoder;
  uint8_t buffer[16384];
  while (true) {
    const ssize_t n = ::recv(connection->fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    decoder.Feed(std::span<const uint8_t>(buffer, static_cast<size_t>(n)));
    while (auto frame = decoder.Next()) {
      if (frame->type == INFERD_TP_MSG_INFERENCE_REQ) {
        auto token = std::make_shared<CancellationToken>();
        {
          std::lock_guard lock(connection->jobs_mutex);
          if (!connection->jobs.empty()) {
            // One job at a time, as on a target with one NPU.
            connection->Send(Frame{INFERD_TP_MSG_ERR, frame->sequence,
                                   EncodeError(INFERD_TP_ERR_BUSY, "an inference is running")});
            continue;
          }
          // Earlier workers have finished their job (none is listed): reap them.
          for (auto& worker : connection->workers) worker.join();
          connection->workers.clear();
          connection->jobs[frame->sequence] = token;
          connection->workers.emplace_back([this, connection, token, request = std::move(*frame)] {
            const Frame reply = core_->RunInference(request, *token);
            {
              std::lock_guard lock(connection->jobs_mutex);
              connection->jobs.erase(request.sequence);
            }
            connection->Send(reply);
          });
        }
        continue;
      }
      if (frame->type == INFERD_TP_MSG_CANCEL_REQ) {
        inferd_tp_cancel_rsp rsp{};
        auto cancel = ParseStruct<inferd_tp_cancel_req>(frame->payload, "CANCEL_REQ");
        if (!cancel.ok()) {
          connection->Send(
              Frame{INFERD_TP_MSG_ERR, frame->sequence,
                    EncodeError(INFERD_TP_ERR_BAD_PAYLOAD, cancel.status().message())});
          continue;
        }
        rsp.sequence = cancel->sequence;
        std::shared_ptr<CancellationToken> token;
        {
          std::lock_guard lock(connection->jobs_mutex);
          auto found = connection->jobs.find(cancel->sequence);
          if (found != connection->jobs.end()) token = found->second;
        }
        rsp.status = token ? 0 : 1;
        // Acknowledge first, so the CANCEL_RSP precedes the job's final INFERENCE_RSP.
        connection->Send(Frame{INFERD_TP_MSG_CANCEL_RSP, frame->sequence, StructBytes(rsp)});
        if (token) token->Cancel();
        continue;
      }
      connection->Send(core_->Handle(*frame));
    }
  }
  rejected_frames_ += decoder.rejected_frames();
  connection->CancelAll();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(connection->jobs_mutex);
    workers.swap(connection->workers);
  }
  for (auto& worker : workers) worker.join();
  std::lock_guard lock(mutex_);
  ::close(connection->fd);
  connection->fd = -1;
  std::erase(connections_, connection);
}

void AgentServer::Stop() {
  {
    std::lock_guard lock(stopped_mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  stopping_.store(true);
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    // Sockets first, so that a job cut short answers nobody: as if the target lost power.
    for (auto& connection : connections_) {
      if (connection->fd >= 0) ::shutdown(connection->fd, SHUT_RDWR);
    }
    for (auto& connection : connections_) connection->CancelAll();
    threads.swap(threads_);
  }
  for (auto& thread : threads) thread.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

}  // namespace inferd::ethosu
