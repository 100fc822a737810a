#include "client/tls_transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include "common/openssl_reason.h"

namespace cuplane::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool IsHostMismatch(long verify_result) {
  return verify_result == X509_V_ERR_HOSTNAME_MISMATCH ||
         verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH;
}

// A plain-HTTP server answers a ClientHello with an HTTP error page, whose first bytes are no
// TLS record header: OpenSSL calls that a wrong version number.
bool IsNotTls(const beast::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER;
}

}  // namespace

TlsTransport::TlsTransport(std::string host, std::uint16_t port,
                           std::shared_ptr<TlsClientContext> context)
    : StreamTransport(std::move(host), port), context_(std::move(context)) {}

Status TlsTransport::ExpectHost() {
  SSL* ssl = stream_->native_handle();
  ERR_clear_error();
  bool ok;
  if (IsIpLiteral(host_)) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host_.c_str()) == 1;
  } else {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok =
        SSL_set_tlsext_host_name(ssl, host_.c_str()) == 1 && SSL_set1_host(ssl, host_.c_str()) == 1;
  }
  if (ok) return OkStatus();
  return TransportError("TLS: cannot check the certificate for " + host_ + " (" + OpenSslReason() +
                        ")");
}

Error TlsTransport::HandshakeFailure(const beast::error_code& ec) {
  const TlsOptions& trust = context_->options();
  long verify = SSL_get_verify_result(stream_->native_handle());
  ERR_clear_error();
  if (IsHostMismatch(verify)) {
    return TransportError("TLS: the server's certificate is not for " + host_ +
                          " (hostname mismatch); connect with a name or address the certificate "
                          "lists");
  }
  if (verify != X509_V_OK) {
    std::string why = X509_verify_cert_error_string(verify);
    if (!trust.ca_file.empty()) {
      return TransportError("TLS: the server's certificate is not trusted by " +
                            trust.ca_file_label + " " + trust.ca_file + " (" + why + ")");
    }
    return TransportError("TLS: the server's certificate is not trusted (" + why +
                          "); to trust a private CA or a self-signed certificate, give its PEM "
                          "file with " +
                          trust.ca_file_label);
  }
  if (IsNotTls(ec)) {
    return TransportError(
        "the server did not answer in TLS; if it serves plain HTTP, use an http:// endpoint");
  }
  return TransportError("TLS handshake failed: " + ec.message());
}

Status TlsTransport::Connect() {
  stream_.emplace(ioc_, context_->native());
  CUPLANE_TRY(ConnectTcp(beast::get_lowest_layer(*stream_), host_, port_));
  CUPLANE_TRY(ExpectHost());
  beast::get_lowest_layer(*stream_).expires_after(kConnectTimeout);
  beast::error_code ec;
  stream_->handshake(asio::ssl::stream_base::client, ec);
  if (ec) return HandshakeFailure(ec);
  return OkStatus();
}

}  // namespace cuplane::client
