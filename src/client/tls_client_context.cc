#include "client/tls_client_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include "common/openssl_reason.h"
#include "common/readable_file.h"

namespace cuplane::client {

namespace ssl = boost::asio::ssl;

TlsClientContext::TlsClientContext(std::unique_ptr<ssl::context> context, TlsOptions options)
    : context_(std::move(context)), options_(std::move(options)) {}
TlsClientContext::~TlsClientContext() = default;

Result<std::shared_ptr<TlsClientContext>> TlsClientContext::Load(TlsOptions options) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  // The server accepts TLS 1.2 and later; so does its client.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  // A failed verification fails the handshake; the transport reads why from the SSL object.
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  ERR_clear_error();
  if (options.ca_file.empty()) {
    // Debian's store may be absent (no ca-certificates): then nothing verifies, and the
    // handshake says so, which is the right outcome, so a failure here is not an error.
    SSL_CTX_set_default_verify_paths(native);
    ERR_clear_error();
  } else {
    CUPLANE_TRY(CheckReadableFile(options.ca_file_label, options.ca_file));
    if (SSL_CTX_load_verify_locations(native, options.ca_file.c_str(), nullptr) != 1) {
      return InvalidParameter(options.ca_file_label + " " + options.ca_file +
                              " holds no usable PEM certificate (" + OpenSslReason() + ")");
    }
  }
  return std::shared_ptr<TlsClientContext>(
      new TlsClientContext(std::move(context), std::move(options)));
}

}  // namespace cuplane::client
