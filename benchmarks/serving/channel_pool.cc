#include "benchmarks/serving/channel_pool.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace inferd::bench {

absl::StatusOr<ChannelMode> ParseChannelMode(absl::string_view text) {
  if (text == "shared") return ChannelMode::kShared;
  if (text == "per-thread") return ChannelMode::kPerThread;
  return absl::InvalidArgumentError(
      absl::StrCat("--channels='", text, "': expected 'shared' or 'per-thread'"));
}

const char* ChannelModeName(ChannelMode mode) {
  return mode == ChannelMode::kShared ? "shared" : "per-thread";
}

ChannelPool::ChannelPool(const std::string& address, ChannelMode mode, int max_clients)
    : address_(address) {
  const int count = mode == ChannelMode::kShared ? 1 : std::max(1, max_clients);
  channels_.reserve(count);
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    // gRPC shares one connection among channels with equal arguments through a process-wide
    // subchannel pool; a local pool gives each channel its own connection, which is the point of
    // per-thread channels.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // Echo responses for large inputs exceed the 4 MiB default; a benchmark should not fail there.
    args.SetMaxReceiveMessageSize(-1);
    channels_.push_back(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
}

const std::shared_ptr<grpc::Channel>& ChannelPool::ForClient(int client) const {
  return channels_[static_cast<size_t>(client) % channels_.size()];
}

}  // namespace inferd::bench
