#include "server/metrics_endpoint.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"
#include "server/civetweb_listener.h"

namespace inferd {
namespace {

// Civetweb threads serving /metrics: a scrape takes milliseconds, so a few serve any dashboard.
constexpr const char* kWorkerThreads = "4";
// A connection that has not sent a whole request by then is closed (civetweb's default is 30 s).
constexpr const char* kRequestTimeoutMs = "5000";

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& address,
                                                                        int port) {
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  const std::string listening = CivetwebListeningPort(address, port);
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
  endpoint->connect_host_ = LoopbackHostFor(address);
  return endpoint;
}

void MetricsEndpoint::Register(const std::weak_ptr<prometheus::Collectable>& collectable) {
  exposer_->RegisterCollectable(collectable);
}

MetricsEndpoint::~MetricsEndpoint() {
  // The stop flag is set inside the Exposer's destructor.
  StopCivetwebListener(connect_host_, port_, [this] { exposer_.reset(); });
}

}  // namespace inferd
