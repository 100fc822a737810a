#include "client/api_client.h"

#include "auth/bce_signer.h"
#include "client/plain_transport.h"
#include "client/tls_transport.h"
#include "common/clock.h"

namespace cuplane::client {

namespace {

// host:port, an IPv6 address in brackets (RFC 9110 §7.2).
std::string HostHeader(const std::string& host, std::uint16_t port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

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
    : host_header_(HostHeader(host, port)),
      credentials_(std::move(credentials)),
      transport_(std::make_unique<PlainTransport>(std::move(host), port)) {}

ApiClient::ApiClient(std::string host, std::uint16_t port, std::shared_ptr<TlsClientContext> tls,
                     Credentials credentials)
    : host_header_(HostHeader(host, port)),
      credentials_(std::move(credentials)),
      transport_(std::make_unique<TlsTransport>(std::move(host), port, std::move(tls))) {}

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
  HttpRequestMessage message;
  message.method_string(request.method);
  message.target(request.target);
  message.version(11);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();
  // One retry on a fresh connection: the server may have closed an idle keep-alive one. A
  // connection that cannot be opened is not retried: a second try would fail alike.
  for (int attempt = 0;; ++attempt) {
    CUPLANE_TRY(transport_->Open());
    auto response = transport_->Exchange(message);
    if (!response.ok()) {
      if (attempt == 0) continue;
      return response.error();
    }
    HttpResponse out;
    out.status = response->result_int();
    for (const auto& field : *response) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(response->body());
    if (!response->keep_alive()) transport_->Close();
    return out;
  }
}

}  // namespace cuplane::client
