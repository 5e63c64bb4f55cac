// RestrictedGroups: which protocol groups need a request header with a shared value, parsed from
// Triton's `<group>[,<group>...]:<header>=<value>` (--grpc-restricted-protocol, and the HTTP
// endpoint's --http-restricted-api). Transport-free: a front end asks Allows() with a way to look
// at its request's headers (gRPC metadata, HTTP headers) and refuses what it is not allowed.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/security/protocol_group.h"

namespace inferd {

// A header a request must carry, with exactly this value. `header` is lower case: gRPC metadata
// keys are, and HTTP header names compare case-insensitively.
struct HeaderRequirement {
  std::string header;
  std::string value;
};

// Whether a request's header value `given` is the `expected` one, in time that depends only on
// `given`'s length. `expected` must not be empty.
bool HeaderValueMatches(absl::string_view expected, absl::string_view given);

class RestrictedGroups {
 public:
  // Every group open.
  RestrictedGroups() = default;

  // One restriction per spec; INVALID_ARGUMENT naming the spec and what is wrong with it (no
  // ':', no '=', an unknown group, a header gRPC reserves, an empty value, a group restricted
  // twice). The value is never quoted in errors: it is a secret.
  static absl::StatusOr<RestrictedGroups> Parse(const std::vector<std::string>& specs);

  // Adds the restriction one spec describes (see Parse).
  absl::Status Add(absl::string_view spec);

  // The header `group` needs, or null when the group is open.
  const HeaderRequirement* RequirementFor(ProtocolGroup group) const;
  bool IsRestricted(ProtocolGroup group) const { return RequirementFor(group) != nullptr; }
  bool empty() const;

  // Whether a request in `group` may go on: always for an open group; for a restricted one, when
  // `has_header(header, value)` says the request carries the header with the value (compared
  // with HeaderValueMatches).
  bool Allows(
      ProtocolGroup group,
      absl::FunctionRef<bool(absl::string_view header, absl::string_view value)> has_header) const;

  // For the start-up log: "model-repository, admin: header 'x-key'" per restriction, or "none".
  // Values are left out.
  std::string Describe() const;

 private:
  // Indexed by ProtocolGroup.
  std::array<std::optional<HeaderRequirement>, kAllProtocolGroups.size()> requirements_;
};

}  // namespace inferd
