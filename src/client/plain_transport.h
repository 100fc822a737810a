// http://: requests over one plain TCP connection.
#pragma once

#include "client/stream_transport.h"

namespace cuplane::client {

class PlainTransport final : public StreamTransport<boost::beast::tcp_stream> {
 public:
  using StreamTransport::StreamTransport;

 private:
  Status Connect() override;
  std::string ExplainExchangeFailure(const boost::beast::error_code& ec) const override;
};

}  // namespace cuplane::client
