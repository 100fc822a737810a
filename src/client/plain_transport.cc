#include "client/plain_transport.h"

namespace cuplane::client {

namespace beast = boost::beast;
namespace http = beast::http;

Status PlainTransport::Connect() {
  stream_.emplace(ioc_);
  return ConnectTcp(*stream_, host_, port_);
}

// An HTTPS server drops a connection whose first bytes are not a TLS handshake without
// answering, which reads here as the end of the stream before any response.
std::string PlainTransport::ExplainExchangeFailure(const beast::error_code& ec) const {
  if (ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
      ec == boost::asio::error::connection_reset) {
    return "the server closed the connection without answering (" + ec.message() +
           "); if it serves HTTPS, use an https:// endpoint";
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return "the server's answer is not HTTP (" + ec.message() +
           "); if it serves HTTPS, use an https:// endpoint";
  }
  return "request failed: " + ec.message();
}

}  // namespace cuplane::client
