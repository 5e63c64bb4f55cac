// What the daemon's civetweb listeners (the metrics endpoint, the HTTP/REST endpoint, and the
// benchmarks' bare HTTP echo server) share: the `listening_ports` text for an address, the start
// with civetweb's own error text, the host to reach a listener on, and a stop that does not wait
// out civetweb's accept poll.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"

struct mg_context;
struct mg_init_data;

namespace inferd {

// civetweb's `listening_ports` value for `address`:`port`, an IPv6 address in brackets.
std::string CivetwebListeningPort(const std::string& address, int port);

// Initialises civetweb's library and starts a context from `init`. UNAVAILABLE "cannot serve
// <what>: <civetweb's reason>" (a port in use, say) when it does not start, the library released
// again; otherwise the caller stops the context and calls mg_exit_library.
absl::StatusOr<mg_context*> StartCivetweb(mg_init_data& init, const std::string& what);

// Where a client on this host reaches a listener bound to `address` (the wildcard addresses become
// loopback).
std::string LoopbackHostFor(const std::string& address);

// Runs `stop` (which stops a civetweb context listening on host:port) while connecting to that
// listener every 20 ms until `stop` returns. civetweb's accept thread notices a stop only when its
// poll of the listening socket returns, which without a connection takes its full 2 s interval:
// the daemon's whole exit time when idle. Each connection is closed at once, so no worker waits on
// it.
void StopCivetwebListener(const std::string& host, int port, const std::function<void()>& stop);

}  // namespace inferd
