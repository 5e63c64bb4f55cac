// What the daemon's two civetweb listeners (the metrics endpoint and the HTTP/REST endpoint) share:
// the `listening_ports` text for an address, the host to reach a listener on, and a stop that does
// not wait out civetweb's accept poll.
#pragma once

#include <functional>
#include <string>

namespace inferd {

// civetweb's `listening_ports` value for `address`:`port`, an IPv6 address in brackets.
std::string CivetwebListeningPort(const std::string& address, int port);

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
