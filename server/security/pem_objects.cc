#include "server/security/pem_objects.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "absl/strings/str_cat.h"

namespace inferd {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// A callback that refuses to decrypt.
int NoPassword(char*, int, int, void*) { return 0; }

}  // namespace

absl::StatusOr<std::vector<X509Ptr>> ParsePemCertificates(const std::string& flag,
                                                          const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  std::vector<X509Ptr> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr)) {
    certificates.emplace_back(certificate);
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (certificates.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
  }
  return certificates;
}

KeyPtr ParsePemPrivateKey(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  ERR_clear_error();
  return key;
}

}  // namespace inferd
