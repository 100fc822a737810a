// What the plain and the TLS transport share: one optional connection over a Beast stream
// (a tcp_stream, or an ssl_stream of one), opening, the exchange on it, and closing it. Each
// transport adds how it connects and what a failed exchange most likely means.
#pragma once

#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>

#include "client/transport.h"

namespace cuplane::client {

template <class Stream>
class StreamTransport : public Transport {
 public:
  StreamTransport(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}

  Status Open() final {
    if (stream_) return OkStatus();
    Status connected = Connect();
    if (!connected.ok()) {
      Close();
      return connected;
    }
    buffer_.clear();
    return OkStatus();
  }

  Result<HttpResponseMessage> Exchange(const HttpRequestMessage& request) final {
    if (!stream_) return TransportError("not connected");
    boost::beast::get_lowest_layer(*stream_).expires_after(kExchangeTimeout);
    HttpResponseMessage response;
    boost::beast::error_code ec;
    boost::beast::http::write(*stream_, request, ec);
    if (!ec) boost::beast::http::read(*stream_, buffer_, response, ec);
    if (ec) {
      Close();
      return TransportError(ExplainExchangeFailure(ec));
    }
    return response;
  }

  // Closes the socket. For TLS without close_notify: the client only closes between
  // exchanges, where nothing can be truncated, and waiting for the server's own close_notify
  // would add a round trip to every command.
  void Close() final {
    if (!stream_) return;
    boost::beast::error_code ignored;
    boost::beast::get_lowest_layer(*stream_).socket().close(ignored);
    stream_.reset();
  }

  bool is_open() const final { return stream_.has_value(); }

 protected:
  // Sets stream_ to a new stream and connects it, ready for exchanges.
  virtual Status Connect() = 0;
  virtual std::string ExplainExchangeFailure(const boost::beast::error_code& ec) const {
    return "request failed: " + ec.message();
  }

  std::string host_;
  std::uint16_t port_;
  boost::asio::io_context ioc_;
  std::optional<Stream> stream_;  // set while a connection is open
  boost::beast::flat_buffer buffer_;
};

}  // namespace cuplane::client
