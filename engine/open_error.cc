#include "engine/open_error.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace inferd {

std::string DescribeOpenError(int error_number) {
  const std::string text = std::strerror(error_number);
  if (error_number == EMFILE) {
    return absl::StrCat(text,
                        ": the daemon has used all the file descriptors its RLIMIT_NOFILE allows "
                        "(connections count too); raise the hard limit (ulimit -Hn, LimitNOFILE=) "
                        "or close idle clients");
  }
  if (error_number == ENFILE) {
    return absl::StrCat(text, ": the system-wide file table is full (fs.file-max)");
  }
  return text;
}

}  // namespace inferd
