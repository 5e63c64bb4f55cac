// HttpTls: the HTTP listener's TLS (--http-use-ssl, --http-use-ssl-mutual), with its certificate,
// key and roots reread on Reload (SIGHUP) without closing a connection: connections keep the
// session they have, and every handshake after Reload gets the new material at once.
//
// civetweb (Debian's 1.15) loads OpenSSL at run time (dlopen of libssl.so, which is libssl.so.3,
// the library this binary links), creates one SSL_CTX at start and hands it to its init_ssl
// callback: Configure. The context is not replaced later; instead it gets a certificate callback
// that gives each new handshake the certificate chain, key and (with mutual TLS) the roots to
// verify the client against that are current at that moment. The files are checked as the gRPC
// listeners' are (LoadTlsMaterial), so a bad file names its --http-* flag; on Reload a bad file
// leaves the previous material in use.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "server/security/tls_material.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace inferd::http {

class HttpTls {
 public:
  // Reads and checks `files` (errors name the flag and the file).
  static absl::StatusOr<std::unique_ptr<HttpTls>> Create(TlsFiles files);
  ~HttpTls();
  HttpTls(const HttpTls&) = delete;
  HttpTls& operator=(const HttpTls&) = delete;

  // Sets up civetweb's context: TLS 1.2 or later, no session resumption (so that every connection
  // is authenticated against the material current when it connects), the certificate callback,
  // and with mutual TLS a client certificate required and verified. Must outlive `context`.
  absl::Status Configure(SSL_CTX* context);

  // Rereads the files. On success returns the new certificate's summary; handshakes from now on
  // use it. On error the old material stays in use and the error says why.
  absl::StatusOr<std::string> Reload();

  // The summary of the certificate in use.
  std::string summary() const;
  bool mutual() const { return files_.require_client_certificate; }

 private:
  struct Identity;
  explicit HttpTls(TlsFiles files) : files_(std::move(files)) {}
  static absl::StatusOr<std::shared_ptr<const Identity>> Parse(const TlsMaterial& material,
                                                               const TlsFiles& files);
  std::shared_ptr<const Identity> Current() const;
  // SSL_CTX_set_cert_cb's callback: installs Current() on the handshake's SSL.
  static int SelectCertificate(SSL* ssl, void* self);

  const TlsFiles files_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Identity> current_;
};

}  // namespace inferd::http
