#include "server/http/civetweb_openssl.h"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"

namespace inferd::http {
namespace {

absl::Status Load() {
  std::error_code error;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot find the running executable to load OpenSSL for civetweb: ", error.message()));
  }
  const std::filesystem::path directory = executable.parent_path() / ".." / "lib" / "inferd";
  // libcrypto first: libssl's lookups go through it. Never closed: civetweb keeps using them.
  for (const char* name : {"libcrypto.so", "libssl.so"}) {
    const std::string path = (directory / name).lexically_normal().string();
    if (dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
      const char* why = dlerror();
      return absl::FailedPreconditionError(
          absl::StrCat("cannot serve HTTPS: inferd's OpenSSL library for civetweb did not load (",
                       why != nullptr ? why : path, "); it is installed with inferd"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadOpenSslForCivetweb() {
  static std::once_flag once;
  static absl::Status status;
  std::call_once(once, [] { status = Load(); });
  return status;
}

}  // namespace inferd::http
