// Raising the daemon's open-file limit (RLIMIT_NOFILE) to its hard limit at start: every gRPC
// connection, model file and target socket is a descriptor, and the soft limit (often 1024) is
// reached long before memory is.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"

namespace inferd {

struct DescriptorLimit {
  uint64_t before = 0;  // the soft limit found at start
  uint64_t after = 0;   // the soft limit now (the hard limit unless that is unlimited)
};

// Sets the soft RLIMIT_NOFILE to the hard one (capped at the kernel's nr_open when the hard limit
// is unlimited). The error says why when setrlimit refuses.
absl::StatusOr<DescriptorLimit> RaiseDescriptorLimit();

}  // namespace inferd
