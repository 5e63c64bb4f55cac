// GrpcTlsCredentials: the gRPC listeners' TLS (--grpc-use-ssl, --grpc-use-ssl-mutual), whose
// certificate, key and roots are reread from the operator's files on Reload (SIGHUP) without
// closing a connection: connections keep the session they have, and new handshakes get the new
// material.
//
// gRPC 1.51 can change a running server's certificates only through a certificate provider, and
// its only providers are static data and a file watcher. So the daemon checks the files itself
// (LoadTlsMaterial), writes what it accepted into in-memory files (memfd) and lets gRPC's file
// watcher read those through /proc/self/fd. Key and chain share one such file, replaced in one
// atomic step, so the watcher never pairs a new key with an old certificate; and the operator's
// files are read only at start and on SIGHUP, never half-written by a renewal in progress.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "server/security/tls_material.h"

namespace inferd {

class GrpcTlsCredentials {
 public:
  // How long after Reload new handshakes may still get the old material: the watcher's period.
  static constexpr int kRefreshSeconds = 1;

  // Reads and checks `files` (errors name the flag and the file).
  static absl::StatusOr<std::unique_ptr<GrpcTlsCredentials>> Create(TlsFiles files);
  ~GrpcTlsCredentials();
  GrpcTlsCredentials(const GrpcTlsCredentials&) = delete;
  GrpcTlsCredentials& operator=(const GrpcTlsCredentials&) = delete;

  // For ServerBuilder::AddListeningPort; every listener may share them.
  const std::shared_ptr<grpc::ServerCredentials>& credentials() const { return credentials_; }

  // Rereads the files. On success returns the new certificate's summary; new handshakes use it
  // within kRefreshSeconds. On error the old material stays in use and the error says why.
  absl::StatusOr<std::string> Reload();

  // The summary of the certificate in use.
  std::string summary() const;
  bool mutual() const { return files_.require_client_certificate; }

 private:
  explicit GrpcTlsCredentials(TlsFiles files) : files_(std::move(files)) {}
  absl::Status Publish(const TlsMaterial& material);

  const TlsFiles files_;
  mutable std::mutex mutex_;
  std::string summary_;
  long generation_ = 0;   // the in-memory files' modification time, new at every Publish
  int identity_fd_ = -1;  // key, then certificate chain
  int roots_fd_ = -1;     // root certificates, with mutual TLS
  std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> provider_;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
};

}  // namespace inferd
