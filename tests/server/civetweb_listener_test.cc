// StartCivetweb, which the daemon's HTTP server and the benchmarks' echo server start civetweb
// through: a context on a free port, and on a port another socket holds UNAVAILABLE with
// civetweb's reason and what was to be served.
#include "server/civetweb_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "civetweb.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

// A context listening on `listening` (civetweb's listening_ports text), or its failure.
absl::StatusOr<mg_context*> StartOn(const std::string& listening) {
  const char* configuration[] = {"listening_ports", listening.c_str(), "num_threads", "1", nullptr};
  mg_callbacks callbacks{};
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.configuration_options = configuration;
  return StartCivetweb(init, absl::StrCat("test on ", listening));
}

TEST(CivetwebListenerTest, StartsOnAFreePortAndStops) {
  auto context = StartOn("127.0.0.1:0");
  ASSERT_TRUE(context.ok()) << context.status();
  mg_server_port port{};
  ASSERT_EQ(mg_get_server_ports(*context, 1, &port), 1);
  EXPECT_GT(port.port, 0);
  StopCivetwebListener("127.0.0.1", port.port, [&] { mg_stop(*context); });
  mg_exit_library();
}

TEST(CivetwebListenerTest, APortInUseIsUnavailableNamingWhatWasToBeServed) {
  const int held = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(held, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(held, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(held, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(held, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string listening = absl::StrCat("127.0.0.1:", ntohs(address.sin_port));
  auto context = StartOn(listening);
  close(held);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(
      context.status().message().rfind(absl::StrCat("cannot serve test on ", listening, ": "), 0),
      0u)
      << context.status();
}

}  // namespace
}  // namespace inferd
