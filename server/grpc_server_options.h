// The gRPC server's own bounds, from the daemon's flags: keepalive and ping policy, how long an
// idle or silent connection is kept, concurrent streams per connection, message sizes and the
// memory gRPC's transport may buffer (its ResourceQuota). gRPC 1.51 has no bound on the number of
// connections; the handshake and idle limits are what reclaim the ones a client abandons.
#pragma once

#include "grpcpp/server_builder.h"
#include "server/daemon_options.h"

namespace inferd {

// Sets the channel arguments and resource quota `options` asks for on `builder`.
void ApplyGrpcServerLimits(const DaemonOptions& options, grpc::ServerBuilder& builder);

}  // namespace inferd
