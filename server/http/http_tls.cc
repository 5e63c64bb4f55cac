#include "server/http/http_tls.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "server/security/pem_objects.h"

namespace inferd::http {

// One version of the material, parsed once, handed to every handshake while it is current. OpenSSL
// counts references to what SelectCertificate installs, so connections keep theirs after Reload
// drops this.
struct HttpTls::Identity {
  X509Ptr leaf;
  STACK_OF(X509) * chain = nullptr;  // the certificates after the leaf
  KeyPtr key;
  X509_STORE* roots = nullptr;                 // mutual TLS: client certificates chain to these
  STACK_OF(X509_NAME) * root_names = nullptr;  // their subjects, sent in the certificate request
  std::string summary;

  Identity() = default;
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  ~Identity() {
    sk_X509_pop_free(chain, X509_free);
    X509_STORE_free(roots);
    sk_X509_NAME_pop_free(root_names, X509_NAME_free);
  }
};

absl::StatusOr<std::shared_ptr<const HttpTls::Identity>> HttpTls::Parse(const TlsMaterial& material,
                                                                        const TlsFiles& files) {
  const std::string cert_flag =
      absl::StrCat("--", files.flag_prefix, "-server-cert=", files.certificate);
  auto certificates = ParsePemCertificates(cert_flag, material.certificate_chain);
  if (!certificates.ok()) return certificates.status();
  auto identity = std::make_shared<Identity>();
  identity->summary = material.summary;
  identity->leaf = std::move(certificates->front());
  identity->chain = sk_X509_new_null();
  identity->key = ParsePemPrivateKey(material.private_key);
  if (identity->chain == nullptr || identity->key == nullptr) {
    return absl::InternalError("OpenSSL could not hold the HTTP listener's certificate and key");
  }
  for (size_t i = 1; i < certificates->size(); ++i) {
    if (sk_X509_push(identity->chain, (*certificates)[i].get()) == 0) {
      return absl::InternalError("OpenSSL could not hold the HTTP listener's certificate chain");
    }
    (*certificates)[i].release();
  }
  if (material.root_certificates.empty()) return identity;
  auto roots = ParsePemCertificates(
      absl::StrCat("--", files.flag_prefix, "-root-cert=", files.root_certificates),
      material.root_certificates);
  if (!roots.ok()) return roots.status();
  identity->roots = X509_STORE_new();
  identity->root_names = sk_X509_NAME_new_null();
  if (identity->roots == nullptr || identity->root_names == nullptr) {
    return absl::InternalError("OpenSSL could not hold the HTTP listener's root certificates");
  }
  for (const X509Ptr& root : *roots) {
    // Both take their own reference or copy.
    X509_NAME* name = X509_NAME_dup(X509_get_subject_name(root.get()));
    if (X509_STORE_add_cert(identity->roots, root.get()) != 1 || name == nullptr ||
        sk_X509_NAME_push(identity->root_names, name) == 0) {
      X509_NAME_free(name);
      return absl::InternalError("OpenSSL could not hold the HTTP listener's root certificates");
    }
  }
  return identity;
}

absl::StatusOr<std::unique_ptr<HttpTls>> HttpTls::Create(TlsFiles files) {
  auto material = LoadTlsMaterial(files);
  if (!material.ok()) return material.status();
  auto identity = Parse(*material, files);
  if (!identity.ok()) return identity.status();
  std::unique_ptr<HttpTls> tls(new HttpTls(std::move(files)));
  tls->current_ = *std::move(identity);
  return tls;
}

HttpTls::~HttpTls() = default;

absl::Status HttpTls::Configure(SSL_CTX* context) {
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) {
    return absl::InternalError("OpenSSL refused TLS 1.2 as the lowest version");
  }
  // No resumption, by session cache or ticket: a resumed session would skip the certificate
  // callback and, with mutual TLS, the check of the client against the current roots.
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(context, 0);
  static constexpr unsigned char kSessionContext[] = "inferd-http";
  SSL_CTX_set_session_id_context(context, kSessionContext, sizeof(kSessionContext) - 1);
  SSL_CTX_set_cert_cb(context, &HttpTls::SelectCertificate, this);
  if (mutual()) {
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  } else {
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
  }
  return absl::OkStatus();
}

std::shared_ptr<const HttpTls::Identity> HttpTls::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

int HttpTls::SelectCertificate(SSL* ssl, void* self) {
  const std::shared_ptr<const Identity> identity = static_cast<HttpTls*>(self)->Current();
  // Each call takes its own reference (set1: a copy of the chain's stack), so the handshake's
  // material outlives a Reload that drops `identity`.
  if (SSL_use_certificate(ssl, identity->leaf.get()) != 1 ||
      SSL_use_PrivateKey(ssl, identity->key.get()) != 1 ||
      SSL_set1_chain(ssl, identity->chain) != 1) {
    return 0;  // the handshake fails
  }
  if (identity->roots != nullptr) {
    if (SSL_set1_verify_cert_store(ssl, identity->roots) != 1) return 0;
    STACK_OF(X509_NAME)* names = SSL_dup_CA_list(identity->root_names);
    if (names == nullptr) return 0;
    SSL_set_client_CA_list(ssl, names);  // takes `names`
  }
  return 1;
}

absl::StatusOr<std::string> HttpTls::Reload() {
  auto material = LoadTlsMaterial(files_);
  if (!material.ok()) return material.status();
  auto identity = Parse(*material, files_);
  if (!identity.ok()) return identity.status();
  std::lock_guard lock(mutex_);
  current_ = *std::move(identity);
  return current_->summary;
}

std::string HttpTls::summary() const { return Current()->summary; }

}  // namespace inferd::http
