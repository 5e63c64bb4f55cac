#include "server/security/tls_material.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "server/security/pem_objects.h"

namespace inferd {
namespace {

constexpr std::uintmax_t kMaxPemFileBytes = 1 << 20;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string FlagOf(const TlsFiles& files, const char* suffix, const std::string& path) {
  return absl::StrCat("--", files.flag_prefix, "-", suffix, "=", path);
}

absl::StatusOr<std::string> ReadPemFile(const std::string& flag, const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": no file given"));
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read: ", error.message()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": not a regular file"));
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error || size > kMaxPemFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": larger than ", kMaxPemFileBytes, " bytes; not a PEM file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read: ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (!in && !in.eof()) return absl::InvalidArgumentError(absl::StrCat(flag, ": read failed"));
  return contents.str();
}

std::string SerialHex(X509* certificate) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(certificate);
  BIGNUM* number = ASN1_INTEGER_to_BN(serial, nullptr);
  if (number == nullptr) return "?";
  char* hex = BN_bn2hex(number);
  std::string text = hex != nullptr ? hex : "?";
  OPENSSL_free(hex);
  BN_free(number);
  return text;
}

std::string Summary(X509* certificate, const std::string& serial) {
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(certificate), subject, sizeof(subject));
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), X509_get0_notAfter(certificate));
  char* text = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &text);
  return absl::StrCat("subject ", subject, ", serial ", serial, ", expires ",
                      std::string(text, static_cast<size_t>(length)));
}

}  // namespace

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const TlsFiles& files) {
  const std::string cert_flag = FlagOf(files, "server-cert", files.certificate);
  const std::string key_flag = FlagOf(files, "server-key", files.private_key);
  const std::string root_flag = FlagOf(files, "root-cert", files.root_certificates);
  TlsMaterial material;
  auto chain = ReadPemFile(cert_flag, files.certificate);
  if (!chain.ok()) return chain.status();
  auto key = ReadPemFile(key_flag, files.private_key);
  if (!key.ok()) return key.status();
  auto certificates = ParsePemCertificates(cert_flag, *chain);
  if (!certificates.ok()) return certificates.status();

  KeyPtr private_key = ParsePemPrivateKey(*key);
  if (private_key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(key_flag,
                     ": holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----); an "
                     "encrypted key must be decrypted first, since the daemon cannot ask for its "
                     "pass phrase"));
  }
  X509* leaf = certificates->front().get();
  if (X509_check_private_key(leaf, private_key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("the private key in ", key_flag,
                                                   " does not belong to the first certificate in ",
                                                   cert_flag));
  }

  if (files.require_client_certificate || !files.root_certificates.empty()) {
    auto roots = ReadPemFile(root_flag, files.root_certificates);
    if (!roots.ok()) {
      if (files.require_client_certificate && files.root_certificates.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", files.flag_prefix, "-use-ssl-mutual needs --", files.flag_prefix,
                         "-root-cert: the certificates client certificates must chain to"));
      }
      return roots.status();
    }
    if (auto parsed = ParsePemCertificates(root_flag, *roots); !parsed.ok()) return parsed.status();
    material.root_certificates = *std::move(roots);
  }

  material.serial = SerialHex(leaf);
  material.summary = Summary(leaf, material.serial);
  material.expired = X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0;
  material.certificate_chain = *std::move(chain);
  material.private_key = *std::move(key);
  return material;
}

}  // namespace inferd
