// LoadOpenSslForCivetweb: makes HTTPS work with Debian 12's civetweb 1.15.
//
// civetweb does not link OpenSSL: on its first TLS listener it dlopens "libcrypto.so" and
// "libssl.so" (the unversioned names, which only libssl-dev installs) and looks up each function
// it uses. Debian builds it for OpenSSL 1.1's API, and one of those functions,
// SSL_get_peer_certificate, is not exported by OpenSSL 3 (Debian 12's libssl3): the lookup fails
// and civetweb serves no TLS at all ("error loading library").
//
// inferd ships two small libraries of its own under <prefix>/lib/inferd, named libcrypto.so and
// libssl.so (file and soname), that depend on libcrypto.so.3 and libssl.so.3 and add the missing
// function. This loads them by path before civetweb starts; the dynamic loader then answers
// civetweb's dlopen("libssl.so") with the library already loaded under that soname, and its
// lookups find OpenSSL 3's functions through it. So civetweb uses the very libssl.so.3 this binary
// links (HttpTls configures civetweb's SSL_CTX with it), and libssl-dev is not needed at run time.
#pragma once

#include "absl/status/status.h"

namespace inferd::http {

// Loads the two libraries from ../lib/inferd beside the running executable (the build tree and
// the installed layout alike), once. FAILED_PRECONDITION saying which file is missing or broken.
absl::Status LoadOpenSslForCivetweb();

}  // namespace inferd::http
