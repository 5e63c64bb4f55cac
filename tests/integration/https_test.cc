// HTTPS on the HTTP/REST listener against the real daemon, with certificates made at test time by
// `openssl` (TestCertificates): a real handshake through libcurl, plaintext refused, mutual TLS,
// and a certificate reload on SIGHUP while a connection stays open in the middle of a request.
#include <signal.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/http_client.h"
#include "tests/integration/tls_connection.h"
#include "tests/integration/tls_fixture.h"
#include "tests/server/security/test_certificates.h"

namespace inferd::testing {
namespace {

using ::testing::HasSubstr;

class HttpsTest : public TlsFixture {
 protected:
  std::vector<std::string> HttpsArgs(bool mutual) const {
    std::vector<std::string> args = {"--http-server-cert=" + certificates_->Path("live.pem"),
                                     "--http-server-key=" + certificates_->Path("live.key")};
    if (mutual) {
      args.push_back("--http-use-ssl-mutual=true");
      args.push_back("--http-root-cert=" + certificates_->ca_pem());
    } else {
      args.push_back("--http-use-ssl=true");
    }
    return args;
  }
  HttpsClientFiles Trusting(bool with_client_certificate) const {
    HttpsClientFiles files{.ca = certificates_->ca_pem()};
    if (with_client_certificate) {
      files.cert = certificates_->client_pem();
      files.key = certificates_->client_key();
    }
    return files;
  }
};

TEST_F(HttpsTest, ServesHttpsAndRefusesPlaintextClients) {
  auto daemon = DaemonProcess::Start(HttpsArgs(/*mutual=*/false));
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_TRUE((*daemon)->WaitForLog("the KServe v2 REST API (HTTPS)", kLogWait));
  const int port = (*daemon)->http_port();

  auto metadata = HttpsRequest(port, Trusting(false), "GET", "/v2/models/digits_fp32");
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_EQ(metadata->status, 200);
  EXPECT_THAT(metadata->body, HasSubstr("\"name\":\"digits_fp32\""));
  auto connection = TlsConnection::Connect(port, certificates_->ca_pem());
  ASSERT_TRUE(connection.ok()) << connection.status();
  EXPECT_EQ((*connection)->server_serial(), "1001");

  // Plain HTTP on the HTTPS port gets no answer.
  auto plaintext = HttpRequest(port, "GET", "/v2/health/live");
  EXPECT_FALSE(plaintext.ok() && plaintext->status == 200);
  // A client that trusts other certificates than the server's CA refuses the server.
  auto untrusting =
      HttpsRequest(port, {.ca = certificates_->client_pem()}, "GET", "/v2/health/live");
  EXPECT_FALSE(untrusting.ok());
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(HttpsTest, MutualTlsServesOnlyClientsWithACertificateFromTheRoots) {
  auto daemon = DaemonProcess::Start(HttpsArgs(/*mutual=*/true));
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_TRUE((*daemon)->WaitForLog("the KServe v2 REST API (HTTPS, client certificates required)",
                                    kLogWait));
  const int port = (*daemon)->http_port();

  auto without = HttpsRequest(port, Trusting(false), "GET", "/v2/health/live");
  EXPECT_FALSE(without.ok()) << without->status;
  auto with = HttpsRequest(port, Trusting(true), "GET", "/v2/health/live");
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(with->status, 200);
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(HttpsTest, SighupServesARenewedCertificateToNewConnectionsAndKeepsOpenOnes) {
  auto daemon = DaemonProcess::Start(HttpsArgs(/*mutual=*/true));
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const int port = (*daemon)->http_port();
  auto connect = [&] {
    return TlsConnection::Connect(port, certificates_->ca_pem(), certificates_->client_pem(),
                                  certificates_->client_key());
  };
  auto open = connect();
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ((*open)->server_serial(), "1001");
  // A request half sent when the certificate changes: the worker waits for the rest of its body.
  const std::string body = R"({"ready": true})";
  ASSERT_TRUE((*open)
                  ->Write("POST /v2/repository/index HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 5))
                  .ok());

  Install("renewed");
  (*daemon)->SendSignal(SIGHUP);
  ASSERT_TRUE((*daemon)->WaitForLog("HTTP TLS certificates reloaded", kLogWait))
      << (*daemon)->Log();
  // At once: the next handshake gets the new certificate.
  auto fresh = connect();
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ((*fresh)->server_serial(), "2002");

  // The open connection finishes its request and goes on serving on its old session.
  ASSERT_TRUE((*open)->Write(body.substr(5)).ok());
  auto answered = (*open)->ReadResponse();
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->status, 200) << answered->body;
  EXPECT_THAT(answered->body, HasSubstr("digits_fp32"));
  ASSERT_TRUE((*open)->Write("GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").ok());
  auto again = (*open)->ReadResponse();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, 200);

  // A broken file on the next SIGHUP is reported and changes nothing.
  WriteFile(certificates_->Path("live.pem"), "not a certificate\n");
  (*daemon)->SendSignal(SIGHUP);
  ASSERT_TRUE((*daemon)->WaitForLog("HTTP TLS certificates not reloaded", kLogWait));
  EXPECT_THAT((*daemon)->Log(), HasSubstr("--http-server-cert=" + certificates_->Path("live.pem") +
                                          ": holds no PEM certificate"));
  auto after = connect();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ((*after)->server_serial(), "2002");
  EXPECT_EQ((*daemon)->Stop(), 0);
}

// Bad files stop start-up naming the --http-* flag: TlsFilesTest in security_test.cc.

}  // namespace
}  // namespace inferd::testing
