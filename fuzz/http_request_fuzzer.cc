// The HTTP request path: arbitrary bytes through Beast's parser with the server's limits, and
// whatever parses through the API (routing, authentication, JSON).
#include <boost/beast/http.hpp>
#include <cstdint>

#include "fuzz_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cuplane::fuzz::FuzzServer server;
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  auto& message = parser.get();
  cuplane::api::ApiRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = message.body();
  server.Handle(request);
  return 0;
}
