#include "client/channel_security.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace inferd::client {
namespace {

// Certificates and keys are small; a larger file is not one.
constexpr std::streamsize kMaxPemBytes = 1 << 20;

absl::StatusOr<std::string> ReadPem(const char* flag, const std::string& path) {
  const std::string named = absl::StrCat("--", flag, "=", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(named, ": cannot read: ", std::strerror(errno)));
  }
  std::string contents(static_cast<size_t>(kMaxPemBytes) + 1, '\0');
  in.read(contents.data(), static_cast<std::streamsize>(contents.size()));
  contents.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat(named, ": read failed"));
  if (contents.size() > static_cast<size_t>(kMaxPemBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(named, ": larger than ", kMaxPemBytes, " bytes; not a PEM file"));
  }
  if (!absl::StrContains(contents, "-----BEGIN ")) {
    return absl::InvalidArgumentError(absl::StrCat(named, ": holds no PEM block (-----BEGIN ...)"));
  }
  return contents;
}

}  // namespace

absl::StatusOr<ChannelSecurity> LoadChannelSecurity(const ClientTlsFiles& files) {
  ChannelSecurity security;
  const bool tls = files.use_ssl || !files.root_cert.empty() || !files.client_cert.empty() ||
                   !files.client_key.empty() || !files.target_name.empty();
  if (!tls) {
    security.credentials = grpc::InsecureChannelCredentials();
    return security;
  }
  if (files.client_cert.empty() != files.client_key.empty()) {
    return absl::InvalidArgumentError(
        "--client-cert and --client-key go together: the certificate a server asks for, and its "
        "key");
  }
  grpc::SslCredentialsOptions options;
  if (!files.root_cert.empty()) {
    auto roots = ReadPem("root-cert", files.root_cert);
    if (!roots.ok()) return roots.status();
    options.pem_root_certs = *std::move(roots);
  }
  if (!files.client_cert.empty()) {
    auto chain = ReadPem("client-cert", files.client_cert);
    if (!chain.ok()) return chain.status();
    auto key = ReadPem("client-key", files.client_key);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *std::move(chain);
    options.pem_private_key = *std::move(key);
  }
  security.credentials = grpc::SslCredentials(options);
  security.target_name_override = files.target_name;
  return security;
}

}  // namespace inferd::client
