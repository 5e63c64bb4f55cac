#include "server/grpc_server_options.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "grpc/grpc.h"
#include "grpcpp/resource_quota.h"

namespace inferd {
namespace {

int ClampToInt(int64_t value) {
  return static_cast<int>(std::clamp<int64_t>(value, 0, std::numeric_limits<int>::max()));
}

}  // namespace

void ApplyGrpcServerLimits(const DaemonOptions& options, grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(ClampToInt(options.grpc_max_message_size));
  builder.SetMaxSendMessageSize(ClampToInt(options.grpc_max_message_size));

  // gRPC's transport buffers (reads, writes, frames) come out of this quota; under its pressure
  // gRPC shrinks flow-control windows so that senders wait, and at the limit it closes
  // connections to reclaim memory. The application-level budget (RequestMemoryBudget) bounds the
  // parsed requests the daemon then holds; the wire copy of a request exists alongside its parsed
  // one, hence twice the budget, and a floor so that small budgets do not starve the transport.
  constexpr int64_t kMinimumGrpcQuota = int64_t{64} << 20;
  grpc::ResourceQuota quota("inferd");
  quota.Resize(
      static_cast<size_t>(std::max(kMinimumGrpcQuota, 2 * options.max_inflight_request_bytes)));
  builder.SetResourceQuota(quota);

  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             ClampToInt(options.grpc_keepalive_time_ms));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ClampToInt(options.grpc_keepalive_timeout_ms));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                             options.grpc_keepalive_permit_without_calls ? 1 : 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA,
                             ClampToInt(options.grpc_http2_max_pings_without_data));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             ClampToInt(options.grpc_http2_min_recv_ping_interval_without_data_ms));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES,
                             ClampToInt(options.grpc_http2_max_ping_strikes));
  // 0 means "no limit" for the flag; gRPC's own default for these is already "no limit".
  if (options.grpc_max_connection_idle_ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                               ClampToInt(options.grpc_max_connection_idle_ms));
  }
  if (options.grpc_max_connection_age_ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               ClampToInt(options.grpc_max_connection_age_ms));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               ClampToInt(options.grpc_max_connection_age_grace_ms));
  }
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             ClampToInt(options.grpc_handshake_timeout_ms));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             ClampToInt(options.grpc_max_concurrent_streams));
}

}  // namespace inferd
