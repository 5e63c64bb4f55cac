// The libssl that civetweb opens: a shared library named libssl.so (file and soname) that depends
// on Debian 12's libssl.so.3 and adds the one function civetweb 1.15 looks up that OpenSSL 3 no
// longer exports. See civetweb_openssl.h for why and how it is loaded.
#include <openssl/ssl.h>

// OpenSSL 3's headers define the old name as a macro for the new one; the function needs the old.
#undef SSL_get_peer_certificate

extern "C" {

// OpenSSL 1.1's name; OpenSSL 3 renamed it SSL_get1_peer_certificate (a macro in its headers).
// Both return a new reference, which civetweb frees.
__attribute__((visibility("default"))) X509* SSL_get_peer_certificate(const SSL* ssl) {
  return SSL_get1_peer_certificate(ssl);
}

}  // extern "C"
