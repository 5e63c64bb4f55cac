// MetricsEndpoint: the Prometheus /metrics listener (prometheus-cpp's civetweb Exposer) with bounds
// on what a client can hold, and a stop that does not wait out civetweb's accept-poll interval.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/collectable.h"

namespace prometheus {
class Exposer;
}

namespace inferd {

class MetricsEndpoint {
 public:
  // Listens on `address`:`port` (0: any free port). The listener has a few worker threads and
  // drops a connection that sends no complete request within a few seconds, so idle clients
  // cannot hold it.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& address,
                                                                int port);
  ~MetricsEndpoint();

  void Register(const std::weak_ptr<prometheus::Collectable>& collectable);
  int port() const { return port_; }

 private:
  MetricsEndpoint() = default;

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string connect_host_;  // where this process can reach the listener (loopback for 0.0.0.0)
  int port_ = 0;
};

}  // namespace inferd
