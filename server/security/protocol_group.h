// ProtocolGroup: the groups of API calls that access control restricts as a whole, with Triton's
// names (--grpc-restricted-protocol, --http-restricted-api) plus inferd's own `admin`. Free of any
// transport, so that the gRPC and HTTP front ends classify their calls into the same groups.
#pragma once

#include <array>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace inferd {

enum class ProtocolGroup {
  kHealth,           // liveness and readiness of the server and of models
  kMetadata,         // server and model metadata
  kInference,        // inference, unary and streaming
  kSharedMemory,     // system and CUDA shared-memory regions
  kModelConfig,      // a model's configuration
  kModelRepository,  // the repository index, model load and unload
  kStatistics,       // per-model statistics and per-operator profiles
  kTrace,            // trace settings
  kLogging,          // log settings
  kAdmin,            // inferd's target administration (inferd.admin.TargetAdmin)
};

inline constexpr std::array<ProtocolGroup, 10> kAllProtocolGroups = {
    ProtocolGroup::kHealth,       ProtocolGroup::kMetadata,    ProtocolGroup::kInference,
    ProtocolGroup::kSharedMemory, ProtocolGroup::kModelConfig, ProtocolGroup::kModelRepository,
    ProtocolGroup::kStatistics,   ProtocolGroup::kTrace,       ProtocolGroup::kLogging,
    ProtocolGroup::kAdmin};

// The group's name on the command line and in metrics: "health", "shared-memory", ...
std::string_view ProtocolGroupName(ProtocolGroup group);

// The group named `name` (as ProtocolGroupName spells it); INVALID_ARGUMENT listing the known
// names otherwise.
absl::StatusOr<ProtocolGroup> ParseProtocolGroup(absl::string_view name);

}  // namespace inferd
