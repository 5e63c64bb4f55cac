// TestCertificates: a throw-away PKI made at test time with Debian's `openssl` command: a CA,
// server certificates for 127.0.0.1 and localhost with chosen serial numbers, and a client
// certificate, as PEM files in a fresh temporary folder that the destructor removes.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace inferd::testing {

class TestCertificates {
 public:
  // Makes the CA and a client certificate it signed.
  static absl::StatusOr<std::unique_ptr<TestCertificates>> Create();
  ~TestCertificates();

  // Makes <name>.pem and <name>.key: a server certificate for IP 127.0.0.1 and DNS localhost,
  // signed by the CA, with serial `serial` (hex digits, e.g. "1001").
  absl::Status MakeServer(const std::string& name, const std::string& serial);

  // Copies <name>.pem and <name>.key over <as>.pem and <as>.key: the files a daemon is given,
  // renewed in place for reload tests.
  void Install(const std::string& name, const std::string& as) const;

  const std::string& dir() const { return dir_; }
  std::string Path(const std::string& file) const { return dir_ + "/" + file; }
  std::string ca_pem() const { return Path("ca.pem"); }
  std::string client_pem() const { return Path("client.pem"); }
  std::string client_key() const { return Path("client.key"); }

 private:
  explicit TestCertificates(std::string dir) : dir_(std::move(dir)) {}
  // Runs `openssl <arguments>` in dir(); its output goes to openssl.log there.
  absl::Status OpenSsl(const std::string& arguments) const;

  std::string dir_;
};

// The contents of `path`; empty when it cannot be read.
std::string ReadFile(const std::string& path);
// Writes `contents` to `path` (truncating).
void WriteFile(const std::string& path, const std::string& contents);
// The serial number (upper-case hex) of the first certificate in `pem`; empty if there is none.
std::string SerialOfPem(const std::string& pem);

}  // namespace inferd::testing
