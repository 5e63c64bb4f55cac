// Opening a listening TCP socket on an IPv4 address for the host agents; port 0 picks a free one.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace inferd::ethosu {

struct TcpListener {
  int fd = -1;
  int port = 0;  // the port actually bound
};

absl::StatusOr<TcpListener> ListenTcp(const std::string& address, int port, int backlog);

}  // namespace inferd::ethosu
