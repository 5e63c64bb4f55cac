// Deadline-bounded read and write on a non-blocking file descriptor: what the TCP and serial
// transports share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace inferd::ethosu {

// Reads at least one byte (see Transport::Read). `what` names the stream in errors.
absl::StatusOr<size_t> ReadFd(int fd, std::span<uint8_t> buffer, absl::Time deadline,
                              const std::string& what);

// Writes everything (see Transport::Write). Sockets are written with MSG_NOSIGNAL so that a
// vanished peer is an error status, never SIGPIPE.
absl::Status WriteFd(int fd, std::span<const uint8_t> bytes, absl::Time deadline,
                     const std::string& what, bool is_socket = false);

// Milliseconds until `deadline` for poll(): 0 when past, capped to an int.
int PollTimeoutMs(absl::Time deadline);

}  // namespace inferd::ethosu
