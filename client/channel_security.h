// ChannelSecurity: how a client reaches a server that serves TLS (inferd's --grpc-use-ssl), and
// with mutual TLS (--grpc-use-ssl-mutual) which certificate it shows: gRPC channel credentials
// made from PEM files, each checked on reading so that a wrong path fails with the flag named.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"

namespace inferd::client {

// The files, by path, as inferctl's flags name them.
struct ClientTlsFiles {
  bool use_ssl = false;     // --ssl; every field below implies it
  std::string root_cert;    // --root-cert: CAs the server's certificate must chain to; empty:
                            // gRPC's default roots
  std::string client_cert;  // --client-cert: PEM chain, leaf first (mutual TLS)
  std::string client_key;   // --client-key: its unencrypted PEM key
  std::string target_name;  // --ssl-target-name: the name the server's certificate must carry,
                            // when it is not the host in the URL
};

struct ChannelSecurity {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::string target_name_override;  // empty: the URL's host
};

// Insecure credentials when `files.use_ssl` is false; TLS credentials otherwise. INVALID_ARGUMENT
// naming the flag for a file that cannot be read, holds no PEM block, or a certificate without a
// key (or the reverse).
absl::StatusOr<ChannelSecurity> LoadChannelSecurity(const ClientTlsFiles& files);

}  // namespace inferd::client
