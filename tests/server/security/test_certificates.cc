#include "tests/server/security/test_certificates.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace inferd::testing {

absl::StatusOr<std::unique_ptr<TestCertificates>> TestCertificates::Create() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "inferd-test-certificates-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  std::unique_ptr<TestCertificates> certificates(new TestCertificates(pattern));
  // P-256 keys: quick to make, and every TLS stack here accepts them.
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  if (auto status = certificates->OpenSsl(absl::StrCat(
          "req -x509 ", key, " -keyout ca.key -out ca.pem -days 2 -subj '/CN=inferd test CA'"));
      !status.ok()) {
    return status;
  }
  if (auto status = certificates->OpenSsl(absl::StrCat(
          "req ", key, " -keyout client.key -out client.csr -subj '/CN=inferd test client'"));
      !status.ok()) {
    return status;
  }
  if (auto status = certificates->OpenSsl(
          "x509 -req -in client.csr -CA ca.pem -CAkey ca.key -set_serial 0x77 -days 2 "
          "-out client.pem");
      !status.ok()) {
    return status;
  }
  return certificates;
}

TestCertificates::~TestCertificates() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status TestCertificates::MakeServer(const std::string& name, const std::string& serial) {
  WriteFile(Path(name + ".ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  if (auto status = OpenSsl(
          absl::StrCat("req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ", name,
                       ".key -out ", name, ".csr -subj '/CN=localhost'"));
      !status.ok()) {
    return status;
  }
  return OpenSsl(absl::StrCat("x509 -req -in ", name,
                              ".csr -CA ca.pem -CAkey ca.key -set_serial 0x", serial,
                              " -days 2 -extfile ", name, ".ext -out ", name, ".pem"));
}

void TestCertificates::Install(const std::string& name, const std::string& as) const {
  WriteFile(Path(as + ".pem"), ReadFile(Path(name + ".pem")));
  WriteFile(Path(as + ".key"), ReadFile(Path(name + ".key")));
}

absl::Status TestCertificates::OpenSsl(const std::string& arguments) const {
  const std::string command =
      absl::StrCat("cd '", dir_, "' && openssl ", arguments, " >>openssl.log 2>&1");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("`openssl ", arguments, "` failed:\n", ReadFile(Path("openssl.log"))));
  }
  return absl::OkStatus();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
}

std::string SerialOfPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (certificate == nullptr) return "";
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  char* hex = BN_bn2hex(number);
  std::string serial = hex;
  OPENSSL_free(hex);
  BN_free(number);
  X509_free(certificate);
  return serial;
}

}  // namespace inferd::testing
