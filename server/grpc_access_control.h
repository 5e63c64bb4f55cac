// GrpcAccessControl: the one place the gRPC listeners decide whether a call may run. Every RPC
// inferd serves is classified into a ProtocolGroup in one table (GrpcMethodGroups; a test checks
// that every method of every served service is in it), and each handler asks Check first, so a
// call of a restricted group without its header is answered PERMISSION_DENIED before it does
// anything, and counted.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "server/security/protocol_group.h"
#include "server/security/refused_requests.h"
#include "server/security/restricted_groups.h"

namespace inferd {

struct GrpcMethodGroup {
  std::string_view service;  // full service name, "inference.GRPCInferenceService"
  std::string_view method;   // method name, "ModelInfer"
  ProtocolGroup group;
};

// The group of every RPC inferd serves.
std::span<const GrpcMethodGroup> GrpcMethodGroups();

// The group of `service`/`method`; nullopt when the table lacks it.
std::optional<ProtocolGroup> FindGrpcMethodGroup(std::string_view service, std::string_view method);

class GrpcAccessControl {
 public:
  // `refused`, when not null, counts refusals and must outlive this object.
  GrpcAccessControl(RestrictedGroups groups, RefusedRequests* refused);

  // OK when the call `service`/`method` may run, given its client metadata; PERMISSION_DENIED
  // with Triton's wording otherwise ("This protocol is restricted, expecting header 'x'"). A
  // method missing from the table is refused whenever any group is restricted: an unclassified
  // RPC must never slip past a restriction.
  grpc::Status Check(const grpc::ServerContextBase& context, std::string_view service,
                     std::string_view method) const;

  const RestrictedGroups& groups() const { return groups_; }

 private:
  const RestrictedGroups groups_;
  RefusedRequests* const refused_;
};

}  // namespace inferd
