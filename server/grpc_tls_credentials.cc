#include "server/grpc_tls_credentials.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace inferd {
namespace {

std::string FdPath(int fd) { return absl::StrCat("/proc/self/fd/", fd); }

absl::Status Errno(const char* what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// An in-memory file holding `contents`, modified at `generation` seconds after the epoch: gRPC's
// watcher rereads when a file's modification time changed while it read, so every version needs
// its own, even two within one second.
absl::StatusOr<int> MemoryFile(const char* name, const std::string& contents, long generation) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return Errno("memfd_create");
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t count = write(fd, contents.data() + written, contents.size() - written);
    if (count < 0) {
      if (errno == EINTR) continue;
      const absl::Status status = Errno("write to memfd");
      close(fd);
      return status;
    }
    written += static_cast<size_t>(count);
  }
  const timespec times[2] = {{generation, 0}, {generation, 0}};
  if (futimens(fd, times) != 0) {
    const absl::Status status = Errno("futimens on memfd");
    close(fd);
    return status;
  }
  return fd;
}

// Makes `*target` (or, the first time, a new descriptor) refer to `fd`'s file, atomically for
// anyone opening /proc/self/fd/<target>.
absl::Status Install(int fd, int* target) {
  if (*target < 0) {
    *target = fd;
    return absl::OkStatus();
  }
  const int installed = dup3(fd, *target, O_CLOEXEC);
  const int saved_errno = errno;
  close(fd);
  errno = saved_errno;
  return installed < 0 ? Errno("dup3") : absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcTlsCredentials>> GrpcTlsCredentials::Create(TlsFiles files) {
  auto material = LoadTlsMaterial(files);
  if (!material.ok()) return material.status();
  std::unique_ptr<GrpcTlsCredentials> tls(new GrpcTlsCredentials(std::move(files)));
  if (auto status = tls->Publish(*material); !status.ok()) return status;
  tls->summary_ = material->summary;

  // The watcher reads the files once here, so the first handshake already has them.
  tls->provider_ = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      FdPath(tls->identity_fd_), FdPath(tls->identity_fd_),
      tls->roots_fd_ >= 0 ? FdPath(tls->roots_fd_) : std::string(), kRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(tls->provider_);
  options.watch_identity_key_cert_pairs();
  if (tls->mutual()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  tls->credentials_ = grpc::experimental::TlsServerCredentials(options);
  if (tls->credentials_ == nullptr) {
    return absl::InternalError("gRPC could not create TLS server credentials");
  }
  return tls;
}

GrpcTlsCredentials::~GrpcTlsCredentials() {
  credentials_.reset();
  provider_.reset();  // joins the watcher's thread before its files go
  if (identity_fd_ >= 0) close(identity_fd_);
  if (roots_fd_ >= 0) close(roots_fd_);
}

absl::Status GrpcTlsCredentials::Publish(const TlsMaterial& material) {
  ++generation_;
  // The key first: OpenSSL's key reader takes the first PEM block it can decode, while the chain
  // reader skips blocks that are not certificates.
  auto identity =
      MemoryFile("inferd-tls-identity",
                 absl::StrCat(material.private_key, "\n", material.certificate_chain), generation_);
  if (!identity.ok()) return identity.status();
  int roots = -1;
  if (!material.root_certificates.empty()) {
    auto made = MemoryFile("inferd-tls-roots", material.root_certificates, generation_);
    if (!made.ok()) {
      close(*identity);
      return made.status();
    }
    roots = *made;
  }
  if (auto status = Install(*identity, &identity_fd_); !status.ok()) {
    if (roots >= 0) close(roots);
    return status;
  }
  if (roots >= 0) return Install(roots, &roots_fd_);
  return absl::OkStatus();
}

absl::StatusOr<std::string> GrpcTlsCredentials::Reload() {
  auto material = LoadTlsMaterial(files_);
  if (!material.ok()) return material.status();
  std::lock_guard lock(mutex_);
  if (auto status = Publish(*material); !status.ok()) return status;
  summary_ = material->summary;
  return summary_;
}

std::string GrpcTlsCredentials::summary() const {
  std::lock_guard lock(mutex_);
  return summary_;
}

}  // namespace inferd
