#include "server/security/protocol_group.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace inferd {

std::string_view ProtocolGroupName(ProtocolGroup group) {
  switch (group) {
    case ProtocolGroup::kHealth:
      return "health";
    case ProtocolGroup::kMetadata:
      return "metadata";
    case ProtocolGroup::kInference:
      return "inference";
    case ProtocolGroup::kSharedMemory:
      return "shared-memory";
    case ProtocolGroup::kModelConfig:
      return "model-config";
    case ProtocolGroup::kModelRepository:
      return "model-repository";
    case ProtocolGroup::kStatistics:
      return "statistics";
    case ProtocolGroup::kTrace:
      return "trace";
    case ProtocolGroup::kLogging:
      return "logging";
    case ProtocolGroup::kAdmin:
      return "admin";
  }
  return "unknown";
}

absl::StatusOr<ProtocolGroup> ParseProtocolGroup(absl::string_view name) {
  std::vector<std::string> known;
  for (ProtocolGroup group : kAllProtocolGroups) {
    const std::string_view group_name = ProtocolGroupName(group);
    if (name == absl::string_view(group_name.data(), group_name.size())) return group;
    known.emplace_back(group_name);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown protocol group '", std::string(name),
                                                 "'; the groups are ", absl::StrJoin(known, ", ")));
}

}  // namespace inferd
