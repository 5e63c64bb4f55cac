#include "server/metrics_endpoint.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"

namespace inferd {
namespace {

// Civetweb threads serving /metrics: a scrape takes milliseconds, so a few serve any dashboard.
constexpr const char* kWorkerThreads = "4";
// A connection that has not sent a whole request by then is closed (civetweb's default is 30 s).
constexpr const char* kRequestTimeoutMs = "5000";

// Opens and at once closes a TCP connection to host:port; failures do not matter.
void Knock(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
  for (addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    const int fd = socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const bool connected = connect(fd, candidate->ai_addr, candidate->ai_addrlen) == 0;
    close(fd);
    if (connected) break;
  }
  freeaddrinfo(found);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& address,
                                                                        int port) {
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  const bool ipv6 = address.find(':') != std::string::npos;
  const std::string listening =
      ipv6 ? absl::StrCat("[", address, "]:", port) : absl::StrCat(address, ":", port);
  try {
    // civetweb reports a bind failure by throwing; nothing else in inferd uses exceptions.
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", listening, "num_threads", kWorkerThreads,
                                 "request_timeout_ms", kRequestTimeoutMs});
  } catch (const std::exception& error) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listening, ": ", error.what()));
  }
  const auto ports = endpoint->exposer_->GetListeningPorts();
  endpoint->port_ = ports.empty() ? port : ports.front();
  if (address == "0.0.0.0" || address.empty()) {
    endpoint->connect_host_ = "127.0.0.1";
  } else if (address == "::") {
    endpoint->connect_host_ = "::1";
  } else {
    endpoint->connect_host_ = address;
  }
  return endpoint;
}

void MetricsEndpoint::Register(const std::weak_ptr<prometheus::Collectable>& collectable) {
  exposer_->RegisterCollectable(collectable);
}

MetricsEndpoint::~MetricsEndpoint() {
  // civetweb's accept thread notices a stop only when its poll of the listening socket returns,
  // which without a connection takes its full 2 s interval: the daemon's whole exit time when idle.
  // Connecting to our own listener (and closing at once, so no worker waits on the connection)
  // makes the poll return; knock until the Exposer is gone, since the stop flag is set inside it.
  std::atomic<bool> stopped{false};
  std::thread knocker([&] {
    while (!stopped.load()) {
      Knock(connect_host_, port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  exposer_.reset();
  stopped.store(true);
  knocker.join();
}

}  // namespace inferd
