#include "server/security/exposure_warnings.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace inferd {

bool IsLoopbackAddress(absl::string_view address) {
  return absl::StartsWith(address, "127.") || address == "::1" || address == "[::1]" ||
         address == "localhost";
}

std::vector<std::string> ExposureWarnings(const ListenerExposure& listener,
                                          const RestrictedGroups& groups) {
  std::vector<std::string> warnings;
  if (IsLoopbackAddress(listener.address)) return warnings;
  for (const auto& [group, consequence] : listener.sensitive_groups) {
    const std::string name(ProtocolGroupName(group));
    if (groups.IsRestricted(group)) {
      if (!listener.tls) {
        warnings.push_back(absl::StrCat(
            "the ", name, " group on ", listener.name, " (", listener.address,
            ") is restricted, but without TLS its header value crosses the network in clear "
            "text; add ",
            listener.tls_flag));
      }
      continue;
    }
    if (listener.mutual_tls) continue;
    warnings.push_back(absl::StrCat(
        "the ", name, " group on ", listener.name, " (", listener.address,
        ") is open to anyone who can connect: they ", consequence,
        ". Bind the listener to loopback, restrict the group (", listener.restrict_flag, "=", name,
        ":<header>=<value>) or require client certificates (", listener.mutual_tls_flag, ")"));
  }
  return warnings;
}

}  // namespace inferd
