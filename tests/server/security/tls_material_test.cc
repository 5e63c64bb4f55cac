#include "server/security/tls_material.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/security/test_certificates.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::TestCertificates;
using testing::WriteFile;

class TlsMaterialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = TestCertificates::Create();
    ASSERT_TRUE(made.ok()) << made.status();
    certificates_ = *std::move(made);
    ASSERT_TRUE(certificates_->MakeServer("server", "1001").ok());
    ASSERT_TRUE(certificates_->MakeServer("other", "2002").ok());
  }
  TlsFiles Files() const {
    return {.certificate = certificates_->Path("server.pem"),
            .private_key = certificates_->Path("server.key"),
            .root_certificates = "",
            .require_client_certificate = false,
            .flag_prefix = "grpc"};
  }
  std::string Error(const TlsFiles& files) const {
    auto material = LoadTlsMaterial(files);
    EXPECT_FALSE(material.ok());
    return std::string(material.status().message());
  }

  std::unique_ptr<TestCertificates> certificates_;
};

TEST_F(TlsMaterialTest, ReadsAMatchingCertificateAndKey) {
  auto material = LoadTlsMaterial(Files());
  ASSERT_TRUE(material.ok()) << material.status();
  EXPECT_EQ(material->serial, "1001");
  EXPECT_THAT(material->summary, HasSubstr("CN=localhost"));
  EXPECT_FALSE(material->expired);
  EXPECT_EQ(material->certificate_chain, ReadFile(certificates_->Path("server.pem")));
  EXPECT_TRUE(material->root_certificates.empty());
}

TEST_F(TlsMaterialTest, MutualTlsReadsTheRoots) {
  TlsFiles files = Files();
  files.require_client_certificate = true;
  EXPECT_THAT(Error(files), HasSubstr("--grpc-use-ssl-mutual needs --grpc-root-cert"));
  files.root_certificates = certificates_->ca_pem();
  auto material = LoadTlsMaterial(files);
  ASSERT_TRUE(material.ok()) << material.status();
  EXPECT_EQ(material->root_certificates, ReadFile(certificates_->ca_pem()));
}

TEST_F(TlsMaterialTest, ErrorsNameTheFlagAndTheFile) {
  TlsFiles files = Files();
  files.certificate = certificates_->Path("missing.pem");
  EXPECT_THAT(Error(files), HasSubstr("--grpc-server-cert=" + files.certificate +
                                      ": cannot read: No such file or directory"));

  files = Files();
  files.private_key = certificates_->dir();
  EXPECT_THAT(Error(files),
              HasSubstr("--grpc-server-key=" + files.private_key + ": not a regular file"));

  files = Files();
  WriteFile(certificates_->Path("garbage.pem"), "not a certificate\n");
  files.certificate = certificates_->Path("garbage.pem");
  EXPECT_THAT(Error(files), HasSubstr(": holds no PEM certificate"));

  files = Files();
  files.private_key = certificates_->Path("server.pem");
  EXPECT_THAT(Error(files), HasSubstr("--grpc-server-key=" + files.private_key +
                                      ": holds no unencrypted PEM private key"));

  files = Files();
  files.private_key = certificates_->Path("other.key");
  EXPECT_THAT(Error(files), HasSubstr("the private key in --grpc-server-key=" + files.private_key +
                                      " does not belong to the first "
                                      "certificate in --grpc-server-cert="));

  files = Files();
  files.flag_prefix = "http";
  files.require_client_certificate = true;
  files.root_certificates = certificates_->Path("garbage.pem");
  EXPECT_THAT(Error(files), HasSubstr("--http-root-cert=" + files.root_certificates +
                                      ": holds no PEM certificate"));
}

}  // namespace
}  // namespace inferd
