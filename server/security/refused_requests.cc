#include "server/security/refused_requests.h"

#include <string>

namespace inferd {

RefusedRequests::RefusedRequests(prometheus::Registry& registry)
    : family_(prometheus::BuildCounter()
                  .Name("inferd_requests_refused_total")
                  .Help("Requests refused by access control (a restricted protocol group without "
                        "its header), by protocol and group")
                  .Register(registry)) {
  for (ProtocolGroup group : kAllProtocolGroups) {
    const std::string name(ProtocolGroupName(group));
    grpc_[static_cast<size_t>(group)] = &family_.Add({{"protocol", "grpc"}, {"group", name}});
    http_[static_cast<size_t>(group)] = &family_.Add({{"protocol", "http"}, {"group", name}});
  }
}

void RefusedRequests::Count(std::string_view protocol, ProtocolGroup group) {
  const size_t index = static_cast<size_t>(group);
  if (protocol == "grpc") {
    grpc_[index]->Increment();
  } else if (protocol == "http") {
    http_[index]->Increment();
  } else {
    // Family::Add returns the existing series for labels it already has, under its own lock.
    family_
        .Add(
            {{"protocol", std::string(protocol)}, {"group", std::string(ProtocolGroupName(group))}})
        .Increment();
  }
}

}  // namespace inferd
