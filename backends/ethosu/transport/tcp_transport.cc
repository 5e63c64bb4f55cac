#include "backends/ethosu/transport/tcp_transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backends/ethosu/transport/fd_stream.h"

namespace inferd::ethosu {

TcpTransport::TcpTransport(std::string host, int port) : host_(std::move(host)), port_(port) {}

TcpTransport::~TcpTransport() { Close(); }

absl::StatusOr<std::unique_ptr<TcpTransport>> TcpTransport::FromAddress(
    const std::string& address) {
  std::string host;
  std::string port_text;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat("bad TCP address '", address, "'"));
    }
    host = address.substr(1, close - 1);
    port_text = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("TCP address '", address, "' has no port (want host:port)"));
    }
    host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
  }
  int port = 0;
  if (host.empty() || !absl::SimpleAtoi(port_text, &port) || port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad TCP address '", address, "'"));
  }
  return std::make_unique<TcpTransport>(host, port);
}

std::string TcpTransport::description() const { return absl::StrCat("tcp://", host_, ":", port_); }

absl::Status TcpTransport::ConnectOnce(absl::Time deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(port_);
  if (const int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(
        absl::StrCat(description(), ": cannot resolve: ", ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  std::string last_error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, PollTimeoutMs(deadline));
      if (rc == 0) {
        ::close(fd);
        return absl::DeadlineExceededError(absl::StrCat(description(), ": connect timed out"));
      }
      int error = 0;
      socklen_t length = sizeof(error);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      errno = error;
      rc = error == 0 ? 0 : -1;
    }
    if (rc == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      fd_ = fd;
      return absl::OkStatus();
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  return absl::UnavailableError(absl::StrCat(description(), ": cannot connect: ", last_error));
}

absl::Status TcpTransport::Open(absl::Time deadline) {
  Close();
  absl::Duration backoff = absl::Milliseconds(10);
  while (true) {
    absl::Status status = ConnectOnce(deadline);
    if (status.ok() || absl::IsDeadlineExceeded(status)) return status;
    if (absl::Now() + backoff >= deadline) return status;
    // Retrying a refused connection: the listener may still be starting.
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(backoff));
    backoff = std::min(backoff * 2, absl::Milliseconds(500));
  }
}

absl::StatusOr<size_t> TcpTransport::Read(std::span<uint8_t> buffer, absl::Time deadline) {
  return ReadFd(fd_, buffer, deadline, description());
}

absl::Status TcpTransport::Write(std::span<const uint8_t> bytes, absl::Time deadline) {
  return WriteFd(fd_, bytes, deadline, description(), /*is_socket=*/true);
}

void TcpTransport::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace inferd::ethosu
