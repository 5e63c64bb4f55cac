// ChannelPool: the gRPC channels the load generator's client threads use for one target, either one
// channel (one HTTP/2 connection) shared by every thread or one channel per thread.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace inferd::bench {

enum class ChannelMode {
  kShared,     // one connection; every client's calls are HTTP/2 streams on it
  kPerThread,  // one connection per client thread, like independent clients
};

absl::StatusOr<ChannelMode> ParseChannelMode(absl::string_view text);
const char* ChannelModeName(ChannelMode mode);

class ChannelPool {
 public:
  // Creates channels to `address` (insecure, loopback) for up to `max_clients` client threads.
  // Nothing connects until the first call.
  ChannelPool(const std::string& address, ChannelMode mode, int max_clients);

  // The channel client thread `client` (0-based, < max_clients) uses.
  const std::shared_ptr<grpc::Channel>& ForClient(int client) const;

  const std::string& address() const { return address_; }

 private:
  std::string address_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
};

}  // namespace inferd::bench
