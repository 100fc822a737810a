#include "client/api_client.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>

#include "auth/bce_signer.h"
#include "common/clock.h"

namespace cuplane::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct ApiClient::Connection {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool open = false;
};

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        })) {
      return v;
    }
  }
  return "";
}

boost::json::value HttpResponse::Json() const {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  return ec ? boost::json::value() : value;
}

ApiClient::ApiClient(std::string host, std::uint16_t port, Credentials credentials)
    : host_(std::move(host)),
      port_(port),
      // An IPv6 literal goes in brackets: "Host: [::1]:8866".
      host_header_((host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" +
                   std::to_string(port)),
      credentials_(std::move(credentials)),
      connection_(std::make_unique<Connection>()) {}

ApiClient::~ApiClient() = default;

void ApiClient::Sign(RawRequest& request, const std::string& timestamp) const {
  std::string ts = timestamp.empty() ? FormatUtc(SystemClock().Now()) : timestamp;
  request.headers.emplace_back("Host", host_header_);
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("x-bce-date", ts);
  auth::SignableRequest signable;
  signable.method = request.method;
  auto question = request.target.find('?');
  signable.path = request.target.substr(0, question);
  if (question != std::string::npos) {
    // Targets built here are simple key=value pairs without escapes.
    std::string query = request.target.substr(question + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      std::string pair = query.substr(start, end - start);
      if (!pair.empty()) {
        size_t eq = pair.find('=');
        signable.query.emplace_back(pair.substr(0, eq),
                                    eq == std::string::npos ? "" : pair.substr(eq + 1));
      }
      start = end + 1;
    }
  }
  signable.headers = request.headers;
  auth::SigningInput input;
  input.access_key = credentials_.access_key;
  input.secret_key = credentials_.secret_key;
  input.timestamp = ts;
  input.expiration_seconds = 1800;
  input.signed_headers = {"host", "content-type", "x-bce-date"};
  request.headers.emplace_back("Authorization", auth::SignRequest(signable, input));
}

Result<HttpResponse> ApiClient::Call(std::string_view path, std::string_view action,
                                     const boost::json::value& body) {
  RawRequest request;
  request.target = std::string(path) + (path.find('?') == std::string_view::npos ? "?" : "&") +
                   "Action=" + std::string(action);
  request.body = boost::json::serialize(body);
  Sign(request);
  return Send(request);
}

Result<HttpResponse> ApiClient::Send(const RawRequest& request) {
  auto& c = *connection_;
  // One retry on a fresh connection: the server may have closed an idle keep-alive one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!c.open) {
      tcp::resolver resolver(c.ioc);
      auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
      if (!ec) {
        c.stream.expires_after(std::chrono::seconds(10));
        c.stream.connect(endpoints, ec);
      }
      if (ec) return MakeError(ErrorCode::kServiceUnavailable, "connect: " + ec.message());
      c.open = true;
      c.buffer.clear();
    }
    http::request<http::string_body> message;
    message.method_string(request.method);
    message.target(request.target);
    message.version(11);
    for (const auto& [name, value] : request.headers) message.set(name, value);
    message.body() = request.body;
    message.prepare_payload();
    c.stream.expires_after(std::chrono::seconds(60));
    http::write(c.stream, message, ec);
    http::response<http::string_body> response;
    if (!ec) http::read(c.stream, c.buffer, response, ec);
    if (ec) {
      c.stream.socket().close(ec);
      c.open = false;
      if (attempt == 0) continue;
      return MakeError(ErrorCode::kServiceUnavailable, "request failed: " + ec.message());
    }
    HttpResponse out;
    out.status = response.result_int();
    for (const auto& field : response) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(response.body());
    if (!response.keep_alive()) {
      c.stream.socket().close(ec);
      c.open = false;
    }
    return out;
  }
  return MakeError(ErrorCode::kServiceUnavailable, "request failed");
}

}  // namespace cuplane::client
