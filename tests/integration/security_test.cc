// TLS, mutual TLS, certificate reload on SIGHUP and restricted protocol groups, against the real
// daemon on an ephemeral loopback port, with certificates made at test time by `openssl`.
#include <signal.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "health.grpc.pb.h"
#include "inferd_admin.grpc.pb.h"
#include "inference.grpc.pb.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/tls_fixture.h"
#include "tests/server/security/test_certificates.h"

namespace inferd::testing {
namespace {

using ::testing::HasSubstr;

// A channel with its own connection: channels normally share connections to the same address,
// and a test of what a new handshake gets must not reuse an old one.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& address,
                                          std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, credentials, arguments);
}

std::shared_ptr<grpc::ChannelCredentials> TrustingCa(const TestCertificates& certificates,
                                                     bool with_client_certificate = false) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFile(certificates.ca_pem());
  if (with_client_certificate) {
    options.pem_private_key = ReadFile(certificates.client_key());
    options.pem_cert_chain = ReadFile(certificates.client_pem());
  }
  return grpc::SslCredentials(options);
}

struct LiveResult {
  grpc::Status status;
  std::string server_serial;  // of the certificate the connection's handshake got
};

// ServerLive on `channel`; fails fast (no waiting for a connection that the handshake refused).
LiveResult ServerLive(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = inference::GRPCInferenceService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  inference::ServerLiveRequest request;
  inference::ServerLiveResponse response;
  LiveResult result{stub->ServerLive(&context, request, &response), ""};
  if (result.status.ok() && context.auth_context() != nullptr) {
    const auto pem = context.auth_context()->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (!pem.empty()) result.server_serial = SerialOfPem(std::string(pem[0].data(), pem[0].size()));
  }
  return result;
}

class TlsTest : public TlsFixture {
 protected:
  std::vector<std::string> TlsArgs() const {
    return {"--grpc-use-ssl=true", "--grpc-server-cert=" + certificates_->Path("live.pem"),
            "--grpc-server-key=" + certificates_->Path("live.key")};
  }
  std::vector<std::string> MutualTlsArgs() const {
    return {"--grpc-use-ssl-mutual=true", "--grpc-server-cert=" + certificates_->Path("live.pem"),
            "--grpc-server-key=" + certificates_->Path("live.key"),
            "--grpc-root-cert=" + certificates_->ca_pem()};
  }
};

TEST_F(TlsTest, ServesTlsAndRefusesPlaintextClients) {
  auto daemon = DaemonProcess::Start(TlsArgs());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_TRUE((*daemon)->WaitForLog("(TLS)", kLogWait));

  // The certificate names IP 127.0.0.1, which the client checks against the address it dialled.
  const LiveResult secure =
      ServerLive(NewChannel((*daemon)->grpc_address(), TrustingCa(*certificates_)));
  EXPECT_TRUE(secure.status.ok()) << secure.status.error_message();
  EXPECT_EQ(secure.server_serial, "1001");

  const LiveResult plaintext =
      ServerLive(NewChannel((*daemon)->grpc_address(), grpc::InsecureChannelCredentials()));
  EXPECT_EQ(plaintext.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(TlsTest, MutualTlsServesOnlyClientsWithACertificateFromTheRoots) {
  auto daemon = DaemonProcess::Start(MutualTlsArgs());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_TRUE((*daemon)->WaitForLog("(TLS, client certificates required)", kLogWait));

  const LiveResult without =
      ServerLive(NewChannel((*daemon)->grpc_address(), TrustingCa(*certificates_)));
  EXPECT_EQ(without.status.error_code(), grpc::StatusCode::UNAVAILABLE);

  const LiveResult with = ServerLive(
      NewChannel((*daemon)->grpc_address(), TrustingCa(*certificates_, /*with_client=*/true)));
  EXPECT_TRUE(with.status.ok()) << with.status.error_message();
  EXPECT_EQ(with.server_serial, "1001");
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(TlsTest, SighupServesARenewedCertificateToNewConnectionsAndKeepsOpenOnes) {
  auto daemon = DaemonProcess::Start(MutualTlsArgs());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const auto open_channel = NewChannel((*daemon)->grpc_address(), TrustingCa(*certificates_, true));
  ASSERT_EQ(ServerLive(open_channel).server_serial, "1001");

  Install("renewed");
  (*daemon)->SendSignal(SIGHUP);
  ASSERT_TRUE((*daemon)->WaitForLog("gRPC TLS certificates reloaded", kLogWait))
      << (*daemon)->Log();
  // gRPC's watcher picks the new files up within a second: poll new connections, bounded.
  std::string serial;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (serial != "2002" && absl::Now() < give_up) {
    const LiveResult fresh =
        ServerLive(NewChannel((*daemon)->grpc_address(), TrustingCa(*certificates_, true)));
    ASSERT_TRUE(fresh.status.ok()) << fresh.status.error_message();
    serial = fresh.server_serial;
  }
  EXPECT_EQ(serial, "2002");

  // The connection opened before the reload is still the one it was.
  const LiveResult old = ServerLive(open_channel);
  EXPECT_TRUE(old.status.ok()) << old.status.error_message();
  EXPECT_EQ(old.server_serial, "1001");

  // A broken file on the next SIGHUP is reported and changes nothing.
  WriteFile(certificates_->Path("live.pem"), "not a certificate\n");
  (*daemon)->SendSignal(SIGHUP);
  ASSERT_TRUE((*daemon)->WaitForLog("gRPC TLS certificates not reloaded", kLogWait));
  EXPECT_THAT((*daemon)->Log(), HasSubstr("holds no PEM certificate"));
  const LiveResult after =
      ServerLive(NewChannel((*daemon)->grpc_address(), TrustingCa(*certificates_, true)));
  EXPECT_TRUE(after.status.ok()) << after.status.error_message();
  EXPECT_EQ(after.server_serial, "2002");
  EXPECT_EQ((*daemon)->Stop(), 0);
}

// The gRPC and the HTTP listener check their files alike, each naming its own flags.
class TlsFilesTest : public TlsTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(TlsFilesTest, StartFailsNamingAMissingOrMismatchedFile) {
  const std::string flag = "--" + GetParam();
  const std::string missing = certificates_->Path("missing.pem");
  auto no_cert = DaemonProcess::Start({flag + "-use-ssl=true", flag + "-server-cert=" + missing,
                                       flag + "-server-key=" + certificates_->Path("live.key")});
  ASSERT_FALSE(no_cert.ok());
  EXPECT_THAT(std::string(no_cert.status().message()),
              HasSubstr(flag + "-server-cert=" + missing + ": cannot read: No such file"));

  auto mismatched = DaemonProcess::Start(
      {flag + "-use-ssl=true", flag + "-server-cert=" + certificates_->Path("live.pem"),
       flag + "-server-key=" + certificates_->Path("renewed.key")});
  ASSERT_FALSE(mismatched.ok());
  EXPECT_THAT(
      std::string(mismatched.status().message()),
      HasSubstr("the private key in " + flag + "-server-key=" + certificates_->Path("renewed.key") +
                " does not belong to the first certificate"));

  auto no_root = DaemonProcess::Start({flag + "-use-ssl-mutual=true",
                                       flag + "-server-cert=" + certificates_->Path("live.pem"),
                                       flag + "-server-key=" + certificates_->Path("live.key")});
  ASSERT_FALSE(no_root.ok());
  EXPECT_THAT(std::string(no_root.status().message()),
              HasSubstr(flag + "-use-ssl-mutual needs " + flag + "-root-cert"));
}

INSTANTIATE_TEST_SUITE_P(Listeners, TlsFilesTest, ::testing::Values("grpc", "http"));

// --- restricted protocol groups ---

const std::vector<std::string>& GroupNames() {
  static const auto* names = new std::vector<std::string>{
      "health",           "metadata",   "inference", "shared-memory", "model-config",
      "model-repository", "statistics", "trace",     "logging",       "admin"};
  return *names;
}

std::string HeaderOf(const std::string& group) { return "x-group-" + group; }
std::string ValueOf(const std::string& group) { return "key-for-" + group; }

// Calls `service`/`method` with an empty request and the headers of `groups`; the status.
grpc::Status Call(const std::string& address, const google::protobuf::MethodDescriptor& method,
                  const std::set<std::string>& groups) {
  const auto channel = NewChannel(address, grpc::InsecureChannelCredentials());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  for (const std::string& group : groups) context.AddMetadata(HeaderOf(group), ValueOf(group));
  const std::string& name = method.name();
  if (name == "ModelStreamInfer") {
    auto stream = inference::GRPCInferenceService::NewStub(channel)->ModelStreamInfer(&context);
    stream->WritesDone();
    return stream->Finish();
  }
  if (name == "Watch") {
    grpc::health::v1::HealthCheckRequest request;
    auto stream = grpc::health::v1::Health::NewStub(channel)->Watch(&context, request);
    grpc::health::v1::HealthCheckResponse response;
    // Served: the first status arrives, and the watch would go on; ending it is the client's.
    if (stream->Read(&response)) {
      context.TryCancel();
      stream->Finish();
      return grpc::Status::OK;
    }
    return stream->Finish();
  }
  EXPECT_FALSE(method.client_streaming() || method.server_streaming()) << name << ": add a case";
  grpc::GenericStub stub(channel);
  grpc::Slice empty("");
  const grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, absl::StrCat("/", method.service()->full_name(), "/", name),
                 grpc::StubOptions(), &request, &response, [&](grpc::Status result) {
                   status = std::move(result);
                   done.Notify();
                 });
  done.WaitForNotification();
  return status;
}

// The group a PERMISSION_DENIED refusal names; empty for any other status.
std::string RefusedGroup(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::PERMISSION_DENIED) return "";
  std::smatch match;
  const std::string message = status.error_message();
  static const std::regex group(
      R"(This protocol is restricted, expecting header '([^']*)' \(protocol group '([^']*)'\))");
  if (!std::regex_search(message, match, group)) return "";
  EXPECT_EQ(match[1].str(), HeaderOf(match[2].str()));
  return match[2].str();
}

// The value of `inferd_requests_refused_total{group="<group>",protocol="grpc"}` in `text`.
double Refusals(const std::string& text, const std::string& group) {
  const std::regex series("inferd_requests_refused_total\\{group=\"" + group +
                          "\",protocol=\"grpc\"\\} ([0-9.e+]+)");
  std::smatch match;
  return std::regex_search(text, match, series) ? std::stod(match[1].str()) : -1;
}

TEST(RestrictedProtocolTest, EveryRpcIsRefusedWithoutItsGroupsHeaderAndServedWithIt) {
  std::vector<std::string> args = {"--allow-admin=true"};
  std::set<std::string> all_groups;
  for (const std::string& group : GroupNames()) {
    args.push_back(absl::StrCat("--grpc-restricted-protocol=", group, ":", HeaderOf(group), "=",
                                ValueOf(group)));
    all_groups.insert(group);
  }
  auto daemon = DaemonProcess::Start(args);
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  std::map<std::string, int> refused;
  std::set<std::string> groups_seen;
  const std::vector<const google::protobuf::FileDescriptor*> files = {
      inference::ModelInferRequest::descriptor()->file(),
      grpc::health::v1::HealthCheckRequest::descriptor()->file(),
      admin::ListTargetsRequest::descriptor()->file()};
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor& service = *file->service(s);
      const std::string address = service.full_name() == "inferd.admin.TargetAdmin"
                                      ? (*daemon)->admin_address()
                                      : (*daemon)->grpc_address();
      for (int m = 0; m < service.method_count(); ++m) {
        const google::protobuf::MethodDescriptor& method = *service.method(m);
        SCOPED_TRACE(method.full_name());
        const std::string group = RefusedGroup(Call(address, method, {}));
        ASSERT_FALSE(group.empty()) << "not refused without headers";
        ++refused[group];
        groups_seen.insert(group);
        // Every other group's header does not stand in for its own.
        std::set<std::string> others = all_groups;
        others.erase(group);
        EXPECT_EQ(RefusedGroup(Call(address, method, others)), group);
        ++refused[group];
        const grpc::Status served = Call(address, method, all_groups);
        EXPECT_NE(served.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << served.error_message();
      }
    }
  }
  EXPECT_EQ(groups_seen, all_groups);

  auto metrics = HttpGet((*daemon)->metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  for (const std::string& group : GroupNames()) {
    EXPECT_EQ(Refusals(*metrics, group), refused[group]) << group;
  }
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST(RestrictedProtocolTest, UnrestrictedGroupsStayOpenAndTheLogSaysWhatIsRestricted) {
  auto daemon =
      DaemonProcess::Start({"--grpc-restricted-protocol=model-repository:x-repo=secret-value"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_THAT((*daemon)->Log(),
              HasSubstr("restricted protocol groups: model-repository: header 'x-repo'"));
  EXPECT_THAT((*daemon)->Log(), ::testing::Not(HasSubstr("secret-value")));
  EXPECT_TRUE(ServerLive(NewChannel((*daemon)->grpc_address(), grpc::InsecureChannelCredentials()))
                  .status.ok());
  EXPECT_EQ((*daemon)->Stop(), 0);
}

}  // namespace
}  // namespace inferd::testing
