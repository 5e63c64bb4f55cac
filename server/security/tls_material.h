// TlsMaterial: a listener's certificate chain, private key and (for mutual TLS) the roots client
// certificates must chain to, read from the operator's PEM files and checked before any listener
// uses them: a missing or unreadable file, a file without PEM, an encrypted key or a key that
// does not match the certificate is an error that names the flag and the file. Free of gRPC, so
// that the HTTP endpoint reads its files the same way.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace inferd {

// The files one listener's TLS comes from, and the flags that named them (for error messages).
struct TlsFiles {
  std::string certificate;        // --<prefix>-server-cert: PEM, the leaf first, then its chain
  std::string private_key;        // --<prefix>-server-key: PEM, unencrypted
  std::string root_certificates;  // --<prefix>-root-cert: PEM; needed when clients must verify
  bool require_client_certificate = false;  // --<prefix>-use-ssl-mutual
  std::string flag_prefix = "grpc";         // "grpc" or "http"
};

struct TlsMaterial {
  std::string certificate_chain;  // PEM, as read
  std::string private_key;        // PEM, as read
  std::string root_certificates;  // PEM, as read; empty when client certificates are not asked for
  // The leaf certificate, for logs: "subject CN=..., serial 1A2B, expires Jan  1 00:00:00 2030
  // GMT".
  std::string summary;
  std::string serial;  // the leaf's serial number, upper-case hex
  bool expired = false;
};

// Reads and checks `files`. Files are at most 1 MiB each.
absl::StatusOr<TlsMaterial> LoadTlsMaterial(const TlsFiles& files);

}  // namespace inferd
