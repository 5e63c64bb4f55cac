#include "server/daemon_options.h"

#include <vector>

#include "gtest/gtest.h"

namespace inferd {
namespace {

absl::StatusOr<DaemonOptions> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "inferd");
  return ParseDaemonOptions(static_cast<int>(args.size()), args.data());
}

TEST(DaemonOptionsTest, DefaultsMatchTriton) {
  auto options = Parse({});
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->grpc_port, 8001);
  EXPECT_EQ(options->metrics_port, 8002);
  EXPECT_EQ(options->model_control_mode, "none");
  EXPECT_EQ(options->grpc_max_message_size, 2147483647);
  EXPECT_TRUE(options->allow_metrics);
}

TEST(DaemonOptionsTest, AcceptsBothSpellingsAndBothForms) {
  auto options =
      Parse({"--model-repository=/models", "--grpc_port", "9001", "--model-control-mode",
             "explicit", "--load-model=a", "--load-model", "b", "--allow-metrics=false"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->model_repository, "/models");
  EXPECT_EQ(options->grpc_port, 9001);
  EXPECT_EQ(options->load_models, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(options->allow_metrics);
}

TEST(DaemonOptionsTest, MistakesNameTheFlag) {
  const std::vector<std::vector<const char*>> mistakes = {
      {"--grpc-port=70000"},    {"--grpc-port=abc"}, {"--model-control-mode=sometimes"},
      {"--no-such-flag=1"},     {"--grpc-port"},     {"positional"},
      {"--load-model=digits"},  // only with explicit mode
      {"--allow-metrics=maybe"}};
  for (const auto& args : mistakes) {
    auto options = Parse(args);
    ASSERT_FALSE(options.ok()) << args[0];
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string flag = std::string(args[0]).substr(0, std::string(args[0]).find('='));
    EXPECT_NE(options.status().message().find(flag.substr(flag.rfind('-') + 1)), std::string::npos)
        << options.status();
  }
}

TEST(DaemonOptionsTest, HelpExplainsEveryFlag) {
  const std::string usage = DaemonUsage();
  for (const char* flag : {"--model-repository",
                           "--model-control-mode",
                           "--load-model",
                           "--repository-poll-secs",
                           "--grpc-address",
                           "--grpc-port",
                           "--grpc-max-message-size",
                           "--max-queue-size",
                           "--exit-timeout-secs",
                           "--allow-metrics",
                           "--metrics-address",
                           "--metrics-port",
                           "--log-verbose",
                           "--version",
                           "--help",
                           "--model-load-threads",
                           "--model-load-queue-size",
                           "--max-model-file-size",
                           "--model-push-dir",
                           "--max-model-push-bytes",
                           "--max-model-push-files",
                           "--max-inflight-request-bytes",
                           "--grpc-max-concurrent-streams",
                           "--grpc-max-connection-idle-ms",
                           "--grpc-handshake-timeout-ms",
                           "--allow-admin",
                           "--admin-address",
                           "--admin-port",
                           "--admin-allowed-tcp-targets",
                           "--admin-allowed-serial-devices",
                           "--max-targets",
                           "--targets-config",
                           "--grpc-use-ssl",
                           "--grpc-use-ssl-mutual",
                           "--grpc-server-cert",
                           "--grpc-server-key",
                           "--grpc-root-cert",
                           "--http-use-ssl",
                           "--http-use-ssl-mutual",
                           "--http-server-cert",
                           "--http-server-key",
                           "--http-root-cert",
                           "--grpc-restricted-protocol",
                           "--max-shared-memory-regions",
                           "--max-shared-memory-bytes"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

TEST(DaemonOptionsTest, ExplicitRepositoryWins) {
  DaemonOptions options;
  options.model_repository = "/somewhere";
  EXPECT_EQ(*ResolveModelRepository(options), "/somewhere");
}

TEST(DaemonOptionsTest, ResourceLimitsHaveBoundedDefaultsAndCanBeSet) {
  auto defaults = Parse({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_inflight_request_bytes, int64_t{1} << 30);
  EXPECT_EQ(defaults->grpc_max_connection_idle_ms, 600000);
  EXPECT_EQ(defaults->grpc_handshake_timeout_ms, 10000);
  EXPECT_EQ(defaults->grpc_max_concurrent_streams, 128);
  EXPECT_EQ(defaults->grpc_keepalive_time_ms, 7200000);

  auto options = Parse({"--max-inflight-request-bytes=4096", "--grpc-max-connection-idle-ms=250",
                        "--grpc-handshake-timeout-ms=300", "--grpc-max-concurrent-streams=4",
                        "--grpc-keepalive-permit-without-calls=true"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->max_inflight_request_bytes, 4096);
  EXPECT_EQ(options->grpc_max_connection_idle_ms, 250);
  EXPECT_EQ(options->grpc_handshake_timeout_ms, 300);
  EXPECT_EQ(options->grpc_max_concurrent_streams, 4);
  EXPECT_TRUE(options->grpc_keepalive_permit_without_calls);

  EXPECT_FALSE(Parse({"--max-inflight-request-bytes=0"}).ok());
  EXPECT_FALSE(Parse({"--grpc-max-concurrent-streams=0"}).ok());
}

TEST(DaemonOptionsTest, TlsFlagsAsTriton) {
  auto options = Parse({"--grpc-use-ssl-mutual=true", "--grpc-server-cert=/c.pem",
                        "--grpc-server-key=/k.pem", "--grpc-root-cert=/ca.pem"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->grpc_use_ssl);  // mutual TLS implies TLS, as in Triton
  EXPECT_TRUE(options->grpc_use_ssl_mutual);
  EXPECT_EQ(options->grpc_server_cert, "/c.pem");
  EXPECT_EQ(options->grpc_server_key, "/k.pem");
  EXPECT_EQ(options->grpc_root_cert, "/ca.pem");

  auto no_key = Parse({"--grpc-use-ssl=true", "--grpc-server-cert=/c.pem"});
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.status().message(),
            "--grpc-use-ssl needs --grpc-server-cert and --grpc-server-key");
  auto no_root = Parse(
      {"--grpc-use-ssl-mutual=true", "--grpc-server-cert=/c.pem", "--grpc-server-key=/k.pem"});
  ASSERT_FALSE(no_root.ok());
  EXPECT_NE(no_root.status().message().find("--grpc-use-ssl-mutual needs --grpc-root-cert"),
            std::string::npos);
  // Certificates without TLS would be silently unused: refused instead.
  EXPECT_FALSE(Parse({"--grpc-server-cert=/c.pem"}).ok());
}

TEST(DaemonOptionsTest, HttpTlsFlagsMirrorTheGrpcOnes) {
  auto options = Parse({"--http-use-ssl-mutual=true", "--http-server-cert=/c.pem",
                        "--http-server-key=/k.pem", "--http-root-cert=/ca.pem"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->http_use_ssl);
  EXPECT_TRUE(options->http_use_ssl_mutual);
  EXPECT_EQ(options->http_server_cert, "/c.pem");
  EXPECT_EQ(options->http_server_key, "/k.pem");
  EXPECT_EQ(options->http_root_cert, "/ca.pem");
  EXPECT_FALSE(options->grpc_use_ssl);  // the listeners' TLS is set separately

  auto no_key = Parse({"--http-use-ssl=true", "--http-server-cert=/c.pem"});
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.status().message(),
            "--http-use-ssl needs --http-server-cert and --http-server-key");
  EXPECT_FALSE(Parse({"--http-root-cert=/ca.pem"}).ok());
}

TEST(DaemonOptionsTest, RestrictedProtocolsAccumulateAndAreChecked) {
  auto options = Parse({"--grpc-restricted-protocol=model-repository,admin:x-key=a",
                        "--grpc-restricted-protocol", "inference:x-infer=b"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->grpc_restricted_protocols,
            (std::vector<std::string>{"model-repository,admin:x-key=a", "inference:x-infer=b"}));
  auto twice = Parse(
      {"--grpc-restricted-protocol=admin:x-key=a", "--grpc-restricted-protocol=admin:x-other=b"});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("--grpc-restricted-protocol: restriction "
                                          "'admin:x-other=...': group 'admin' is already"),
            std::string::npos)
      << twice.status();
}

}  // namespace
}  // namespace inferd
