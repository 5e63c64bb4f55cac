#include "server/descriptor_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace inferd {
namespace {

// The kernel's ceiling for any process's descriptor count; setrlimit refuses values above it.
rlim_t KernelDescriptorCeiling() {
  std::ifstream nr_open("/proc/sys/fs/nr_open");
  uint64_t value = 0;
  if (nr_open >> value && value > 0) return static_cast<rlim_t>(value);
  return 1 << 20;  // Linux's default nr_open
}

}  // namespace

absl::StatusOr<DescriptorLimit> RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::InternalError(absl::StrCat("getrlimit(RLIMIT_NOFILE): ", std::strerror(errno)));
  }
  DescriptorLimit result{static_cast<uint64_t>(limit.rlim_cur), 0};
  rlim_t target = limit.rlim_max;
  if (target == RLIM_INFINITY) target = KernelDescriptorCeiling();
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    limit.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return absl::InternalError(
          absl::StrCat("setrlimit(RLIMIT_NOFILE, ", target, "): ", std::strerror(errno)));
    }
  }
  result.after = static_cast<uint64_t>(limit.rlim_cur);
  return result;
}

}  // namespace inferd
