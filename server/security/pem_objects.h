// PEM text into OpenSSL objects, owned by unique_ptrs: the certificates of a chain and an
// unencrypted private key. Shared by the checks of the operator's files (tls_material) and by the
// HTTP listener, which hands the parsed objects to each handshake (server/http/http_tls).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd {

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

// The certificates in `pem`, in order. INVALID_ARGUMENT prefixed with `flag` when there is none.
absl::StatusOr<std::vector<X509Ptr>> ParsePemCertificates(const std::string& flag,
                                                          const std::string& pem);

// The first private key in `pem`; null when there is none or it is encrypted (no pass phrase is
// ever asked for: OpenSSL's default would prompt on the terminal).
KeyPtr ParsePemPrivateKey(const std::string& pem);

}  // namespace inferd
