#include "client/transport.h"

namespace cuplane::client {

Status ConnectTcp(boost::beast::tcp_stream& stream, const std::string& host, std::uint16_t port) {
  boost::asio::ip::tcp::resolver resolver(stream.get_executor());
  boost::beast::error_code ec;
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (!ec) {
    stream.expires_after(kConnectTimeout);
    stream.connect(endpoints, ec);
  }
  if (ec) return TransportError("connect: " + ec.message());
  return OkStatus();
}

Error TransportError(std::string message) {
  return MakeError(ErrorCode::kServiceUnavailable, std::move(message));
}

}  // namespace cuplane::client
