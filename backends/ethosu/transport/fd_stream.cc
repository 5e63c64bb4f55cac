#include "backends/ethosu/transport/fd_stream.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace inferd::ethosu {

int PollTimeoutMs(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return -1;
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1)));
  return ms > 1 << 30 ? 1 << 30 : static_cast<int>(ms);
}

absl::StatusOr<size_t> ReadFd(int fd, std::span<uint8_t> buffer, absl::Time deadline,
                              const std::string& what) {
  if (fd < 0) return absl::UnavailableError(absl::StrCat(what, ": not open"));
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) return absl::UnavailableError(absl::StrCat(what, ": closed by the target"));
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return absl::UnavailableError(absl::StrCat(what, ": read failed: ", std::strerror(errno)));
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, PollTimeoutMs(deadline));
    if (ready == 0) return absl::DeadlineExceededError(absl::StrCat(what, ": no reply in time"));
    if (ready < 0 && errno != EINTR) {
      return absl::UnavailableError(absl::StrCat(what, ": poll failed: ", std::strerror(errno)));
    }
  }
}

absl::Status WriteFd(int fd, std::span<const uint8_t> bytes, absl::Time deadline,
                     const std::string& what, bool is_socket) {
  if (fd < 0) return absl::UnavailableError(absl::StrCat(what, ": not open"));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = is_socket ? ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL)
                                : ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      return absl::UnavailableError(absl::StrCat(what, ": write failed: ", std::strerror(errno)));
    }
    pollfd p{fd, POLLOUT, 0};
    const int ready = ::poll(&p, 1, PollTimeoutMs(deadline));
    if (ready == 0) return absl::DeadlineExceededError(absl::StrCat(what, ": write timed out"));
    if (ready < 0 && errno != EINTR) {
      return absl::UnavailableError(absl::StrCat(what, ": poll failed: ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

}  // namespace inferd::ethosu
