// ExposureWarnings: what the start-up log warns about when a listener offers a group of calls that
// changes the server (loading and unloading models, managing targets) to the network with nothing
// in the way: no restriction on the group and no client certificate. Transport-free, so that the
// HTTP endpoint warns the same way.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/security/protocol_group.h"
#include "server/security/restricted_groups.h"

namespace inferd {

// Whether `address` (a listener's bind address, as on the command line) is loopback only:
// 127.0.0.0/8, ::1 or localhost. 0.0.0.0 and :: are every interface, so not.
bool IsLoopbackAddress(absl::string_view address);

struct ListenerExposure {
  std::string name;     // "the public gRPC listener"
  std::string address;  // its bind address
  bool tls = false;
  bool mutual_tls = false;
  // The groups served there that change the server, each with what a caller could do.
  std::vector<std::pair<ProtocolGroup, std::string>> sensitive_groups;
  // The flags the warnings suggest, as this listener's front end spells them.
  std::string restrict_flag = "--grpc-restricted-protocol";
  std::string tls_flag = "--grpc-use-ssl";
  std::string mutual_tls_flag = "--grpc-use-ssl-mutual";
};

// One warning per sensitive group that anyone reaching a non-loopback `listener` can call (not
// restricted, no mutual TLS), and per restricted one whose header value travels without TLS.
std::vector<std::string> ExposureWarnings(const ListenerExposure& listener,
                                          const RestrictedGroups& groups);

}  // namespace inferd
