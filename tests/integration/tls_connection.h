// TlsConnection: one TLS connection to 127.0.0.1:port made with OpenSSL directly, for tests that
// must hold a connection open across an event (a certificate reload) and write a request in parts:
// the certificate the handshake got, raw writes, and one HTTP/1.1 response read at a time.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace inferd::testing {

class TlsConnection {
 public:
  // Connects and completes the handshake, trusting `ca_pem` and, when `cert_pem` is not empty,
  // showing that client certificate and key (paths).
  static absl::StatusOr<std::unique_ptr<TlsConnection>> Connect(int port, const std::string& ca_pem,
                                                                const std::string& cert_pem = "",
                                                                const std::string& key_pem = "");
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // The serial number (upper-case hex) of the certificate the server presented.
  const std::string& server_serial() const { return server_serial_; }

  absl::Status Write(const std::string& bytes);
  // Reads one response: its status code and body (by Content-Length).
  struct Response {
    int status = 0;
    std::string body;
  };
  absl::StatusOr<Response> ReadResponse();

 private:
  TlsConnection() = default;
  int fd_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string server_serial_;
  std::string pending_;  // read past the last response
};

}  // namespace inferd::testing
