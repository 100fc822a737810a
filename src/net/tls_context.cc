#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include "common/openssl_reason.h"
#include "common/readable_file.h"

namespace cuplane::net {
namespace {

namespace ssl = boost::asio::ssl;

Error Refuse(const std::string& message) { return InvalidParameter(message); }

// The key on its own first, so that "not a key" and "not this certificate's key" read apart.
// An encrypted key fails here: the passphrase callback gives none, and OpenSSL would otherwise
// ask on the terminal.
Result<std::shared_ptr<EVP_PKEY>> ReadPrivateKey(const std::string& key_file) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(key_file.c_str(), "r"), BIO_free);
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  if (!key) {
    return Refuse("--tls-key " + key_file +
                  " holds no usable PEM private key (it must not be encrypted) (" +
                  OpenSslReason() + ")");
  }
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

}  // namespace

TlsContext::TlsContext(std::unique_ptr<ssl::context> context) : context_(std::move(context)) {}
TlsContext::~TlsContext() = default;

Result<std::shared_ptr<TlsContext>> TlsContext::Load(const std::string& cert_file,
                                                     const std::string& key_file) {
  CUPLANE_TRY(CheckReadableFile("--tls-cert", cert_file));
  CUPLANE_TRY(CheckReadableFile("--tls-key", key_file));
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use |
                       ssl::context::no_compression);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
    return Refuse("--tls-cert " + cert_file + " holds no usable PEM certificate (" +
                  OpenSslReason() + ")");
  }
  CUPLANE_ASSIGN_OR_RETURN(std::shared_ptr<EVP_PKEY> key, ReadPrivateKey(key_file));
  if (SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return Refuse("--tls-key " + key_file + " does not belong to the certificate in --tls-cert " +
                  cert_file);
  }
  return std::shared_ptr<TlsContext>(new TlsContext(std::move(context)));
}

}  // namespace cuplane::net
