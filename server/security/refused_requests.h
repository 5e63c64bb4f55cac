// RefusedRequests: counts the requests access control refused, as the Prometheus counter
// inferd_requests_refused_total{protocol, group}. One per daemon, shared by the gRPC and HTTP
// front ends, which name themselves in `protocol` ("grpc", "http").
#pragma once

#include <array>
#include <string_view>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "server/security/protocol_group.h"

namespace inferd {

class RefusedRequests {
 public:
  // Registers the family in `registry`, which must outlive this object, with a zero series for
  // every group of "grpc" and "http" so that dashboards and alerts see them before any refusal.
  explicit RefusedRequests(prometheus::Registry& registry);

  void Count(std::string_view protocol, ProtocolGroup group);

 private:
  prometheus::Family<prometheus::Counter>& family_;
  std::array<prometheus::Counter*, kAllProtocolGroups.size()> grpc_;
  std::array<prometheus::Counter*, kAllProtocolGroups.size()> http_;
};

}  // namespace inferd
