// TlsFixture: the certificates of a TLS test against the daemon, made by `openssl` at test time: a
// CA with a client certificate, server certificates "first" (serial 1001) and "renewed" (2002),
// and "live.pem"/"live.key", the files the daemon is given, holding "first" until a reload test
// installs "renewed" in their place.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/server/security/test_certificates.h"

namespace inferd::testing {

class TlsFixture : public ::testing::Test {
 protected:
  // How long a test waits for the daemon to log its TLS listener or a certificate reload.
  static constexpr absl::Duration kLogWait = absl::Seconds(30);

  void SetUp() override {
    auto made = TestCertificates::Create();
    ASSERT_TRUE(made.ok()) << made.status();
    certificates_ = *std::move(made);
    ASSERT_TRUE(certificates_->MakeServer("first", "1001").ok());
    ASSERT_TRUE(certificates_->MakeServer("renewed", "2002").ok());
    Install("first");
  }
  void Install(const std::string& name) { certificates_->Install(name, "live"); }

  std::unique_ptr<TestCertificates> certificates_;
};

}  // namespace inferd::testing
