// https://: requests over one TLS connection that verifies the server: its certificate must
// chain to what the TlsClientContext trusts and name the host connected to (a DNS name, or an
// IP address for an IP literal). The host name also goes out as SNI (not for IP literals,
// which SNI does not carry).
#pragma once

#include <boost/beast/ssl.hpp>
#include <memory>

#include "client/stream_transport.h"
#include "client/tls_client_context.h"

namespace cuplane::client {

// A fresh ssl_stream per connection: an SSL object carries one session's state.
class TlsTransport final
    : public StreamTransport<boost::beast::ssl_stream<boost::beast::tcp_stream>> {
 public:
  TlsTransport(std::string host, std::uint16_t port, std::shared_ptr<TlsClientContext> context);

 private:
  // TCP, then the handshake, which verifies the server.
  Status Connect() override;
  // Names the host for SNI and for the certificate check of the coming handshake.
  Status ExpectHost();
  // Why the handshake failed, from the verification result and the TLS error.
  Error HandshakeFailure(const boost::beast::error_code& ec);

  std::shared_ptr<TlsClientContext> context_;
};

}  // namespace cuplane::client
