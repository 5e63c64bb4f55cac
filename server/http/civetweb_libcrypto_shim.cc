// The libcrypto that civetweb opens: a shared library named libcrypto.so (file and soname) that
// only depends on Debian 12's libcrypto.so.3, whose functions civetweb finds through it. See
// civetweb_openssl.h for why.
