// How ApiClient's requests reach the server: plain TCP for http://, TLS over TCP for https://
// (plain_transport.h, tls_transport.h). A transport keeps at most one connection; ApiClient
// decides when to open, retry and close it. Errors say what most likely went wrong in terms of
// what to change (the scheme, the CA file, the host name), never just a socket error code.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "common/error.h"

namespace cuplane::client {

using HttpRequestMessage = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponseMessage = boost::beast::http::response<boost::beast::http::string_body>;

// Longest wait to connect (TCP and, for TLS, the handshake), and for one request's response.
inline constexpr std::chrono::seconds kConnectTimeout{10};
inline constexpr std::chrono::seconds kExchangeTimeout{60};

class Transport {
 public:
  virtual ~Transport() = default;

  // Opens a connection unless one is open (for TLS: connects, then verifies the server in the
  // handshake). ServiceUnavailable with the reason when it cannot.
  virtual Status Open() = 0;
  // Writes `request` and reads its response on the open connection. A failure closes it.
  virtual Result<HttpResponseMessage> Exchange(const HttpRequestMessage& request) = 0;
  virtual void Close() = 0;
  virtual bool is_open() const = 0;
};

// Resolves `host` and connects `stream` within kConnectTimeout.
Status ConnectTcp(boost::beast::tcp_stream& stream, const std::string& host, std::uint16_t port);

// A transport failure as ApiClient reports it.
Error TransportError(std::string message);

}  // namespace cuplane::client
