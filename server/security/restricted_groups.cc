#include "server/security/restricted_groups.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace inferd {
namespace {

absl::Status BadSpec(absl::string_view spec, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(
      "restriction '", std::string(spec.substr(0, spec.find('='))),
      spec.find('=') == absl::string_view::npos ? "" : "=...", "': ", std::string(problem),
      " (expected <group>[,<group>...]:<header>=<value>)"));
}

// A header both gRPC metadata and HTTP can carry as plain text: gRPC keys are lower-case letters,
// digits, '-', '_' and '.'; gRPC reserves the "grpc-" prefix and "-bin" marks binary values.
absl::Status CheckHeaderName(absl::string_view spec, absl::string_view header) {
  if (header.empty()) return BadSpec(spec, "the header name is empty");
  for (char c : header) {
    const bool allowed =
        absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_' || c == '.';
    if (!allowed) {
      return BadSpec(spec, absl::StrCat("the header name '", std::string(header),
                                        "' may hold only letters, digits, '-', '_' and '.'"));
    }
  }
  if (absl::StartsWith(header, "grpc-")) {
    return BadSpec(spec, "header names starting with 'grpc-' are reserved by gRPC");
  }
  if (absl::EndsWith(header, "-bin")) {
    return BadSpec(spec, "header names ending in '-bin' carry binary values in gRPC");
  }
  return absl::OkStatus();
}

}  // namespace

bool HeaderValueMatches(absl::string_view expected, absl::string_view given) {
  // Every byte is compared whatever the first difference, so that the time taken tells a client
  // nothing about how much of a guess was right.
  unsigned char difference = expected.size() == given.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  }
  return difference == 0;
}

absl::StatusOr<RestrictedGroups> RestrictedGroups::Parse(const std::vector<std::string>& specs) {
  RestrictedGroups groups;
  for (const std::string& spec : specs) {
    if (auto status = groups.Add(spec); !status.ok()) return status;
  }
  return groups;
}

absl::Status RestrictedGroups::Add(absl::string_view spec) {
  const size_t colon = spec.find(':');
  if (colon == absl::string_view::npos) return BadSpec(spec, "no ':' after the groups");
  const absl::string_view group_list = spec.substr(0, colon);
  const absl::string_view header_value = spec.substr(colon + 1);
  const size_t equals = header_value.find('=');
  if (equals == absl::string_view::npos) return BadSpec(spec, "no '=' between header and value");
  // Lower-cased so that an operator's "X-Inferd-Key" matches what gRPC delivers ("x-inferd-key").
  const std::string header = absl::AsciiStrToLower(
      std::string(absl::StripAsciiWhitespace(header_value.substr(0, equals))));
  const std::string value(header_value.substr(equals + 1));
  if (auto status = CheckHeaderName(spec, header); !status.ok()) return status;
  if (value.empty()) return BadSpec(spec, "the value is empty");

  if (group_list.empty()) return BadSpec(spec, "no group before ':'");
  std::vector<ProtocolGroup> parsed;
  for (absl::string_view name : absl::StrSplit(group_list, ',')) {
    name = absl::StripAsciiWhitespace(name);
    auto group = ParseProtocolGroup(name);
    if (!group.ok()) return BadSpec(spec, group.status().message());
    if (IsRestricted(*group)) {
      return BadSpec(spec, absl::StrCat("group '", std::string(ProtocolGroupName(*group)),
                                        "' is already restricted by an earlier restriction"));
    }
    if (std::find(parsed.begin(), parsed.end(), *group) != parsed.end()) {
      return BadSpec(spec, absl::StrCat("group '", std::string(ProtocolGroupName(*group)),
                                        "' is listed twice"));
    }
    parsed.push_back(*group);
  }
  for (ProtocolGroup group : parsed) {
    requirements_[static_cast<size_t>(group)] = HeaderRequirement{header, value};
  }
  return absl::OkStatus();
}

const HeaderRequirement* RestrictedGroups::RequirementFor(ProtocolGroup group) const {
  const auto& requirement = requirements_[static_cast<size_t>(group)];
  return requirement.has_value() ? &*requirement : nullptr;
}

bool RestrictedGroups::empty() const {
  for (const auto& requirement : requirements_) {
    if (requirement.has_value()) return false;
  }
  return true;
}

bool RestrictedGroups::Allows(
    ProtocolGroup group,
    absl::FunctionRef<bool(absl::string_view header, absl::string_view value)> has_header) const {
  const HeaderRequirement* requirement = RequirementFor(group);
  return requirement == nullptr || has_header(requirement->header, requirement->value);
}

std::string RestrictedGroups::Describe() const {
  // Groups that share a header are listed together, in the order of ProtocolGroup.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> by_requirement;
  for (ProtocolGroup group : kAllProtocolGroups) {
    if (const HeaderRequirement* requirement = RequirementFor(group)) {
      by_requirement[{requirement->header, requirement->value}].emplace_back(
          ProtocolGroupName(group));
    }
  }
  if (by_requirement.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [requirement, groups] : by_requirement) {
    parts.push_back(
        absl::StrCat(absl::StrJoin(groups, ", "), ": header '", requirement.first, "'"));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace inferd
