#include "tests/integration/tls_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/server/security/test_certificates.h"

namespace inferd::testing {
namespace {

absl::Status OpenSslError(const std::string& what) {
  char text[256] = "no detail";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    ERR_error_string_n(code, text, sizeof text);
  }
  ERR_clear_error();
  return absl::UnavailableError(absl::StrCat(what, ": ", text));
}

std::string PemOf(X509* certificate) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsConnection>> TlsConnection::Connect(int port,
                                                                      const std::string& ca_pem,
                                                                      const std::string& cert_pem,
                                                                      const std::string& key_pem) {
  std::unique_ptr<TlsConnection> connection(new TlsConnection());
  connection->context_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX* context = connection->context_;
  if (context == nullptr || SSL_CTX_load_verify_locations(context, ca_pem.c_str(), nullptr) != 1) {
    return OpenSslError("loading the CA");
  }
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  if (!cert_pem.empty() &&
      (SSL_CTX_use_certificate_chain_file(context, cert_pem.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(context, key_pem.c_str(), SSL_FILETYPE_PEM) != 1)) {
    return OpenSslError("loading the client certificate");
  }
  connection->fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connection->fd_ < 0 ||
      connect(connection->fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot connect to 127.0.0.1:", port));
  }
  connection->ssl_ = SSL_new(context);
  SSL_set_fd(connection->ssl_, connection->fd_);
  SSL_set1_host(connection->ssl_, "127.0.0.1");
  if (SSL_connect(connection->ssl_) != 1) return OpenSslError("TLS handshake");
  X509* peer = SSL_get1_peer_certificate(connection->ssl_);
  if (peer == nullptr) return absl::UnavailableError("the server showed no certificate");
  connection->server_serial_ = SerialOfPem(PemOf(peer));
  X509_free(peer);
  return connection;
}

TlsConnection::~TlsConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (context_ != nullptr) SSL_CTX_free(context_);
  if (fd_ >= 0) close(fd_);
}

absl::Status TlsConnection::Write(const std::string& bytes) {
  if (SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) !=
      static_cast<int>(bytes.size())) {
    return OpenSslError("TLS write");
  }
  return absl::OkStatus();
}

absl::StatusOr<TlsConnection::Response> TlsConnection::ReadResponse() {
  char buffer[4096];
  auto fill = [&]() -> absl::Status {
    const int count = SSL_read(ssl_, buffer, sizeof buffer);
    if (count <= 0) return OpenSslError("TLS read (the connection ended)");
    pending_.append(buffer, static_cast<size_t>(count));
    return absl::OkStatus();
  };
  size_t end = 0;
  while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
    if (auto status = fill(); !status.ok()) return status;
  }
  const std::string head = pending_.substr(0, end);
  Response response;
  if (head.size() < 12 || !absl::SimpleAtoi(head.substr(9, 3), &response.status)) {
    return absl::InternalError(absl::StrCat("not an HTTP response: ", head));
  }
  size_t length = 0;
  if (const size_t at = head.find("Content-Length: "); at != std::string::npos) {
    const size_t line_end = head.find("\r\n", at);
    if (!absl::SimpleAtoi(head.substr(at + 16, line_end - at - 16), &length)) {
      return absl::InternalError(absl::StrCat("bad Content-Length in ", head));
    }
  }
  while (pending_.size() < end + 4 + length) {
    if (auto status = fill(); !status.ok()) return status;
  }
  response.body = pending_.substr(end + 4, length);
  pending_.erase(0, end + 4 + length);
  return response;
}

}  // namespace inferd::testing
