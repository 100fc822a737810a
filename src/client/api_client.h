// A small signed HTTP(S) client for cuplane's API: the CLI's and the tests' way in. It signs
// with the one bce-auth-v1 signer (auth/bce_signer.h), exactly as an SDK would, and sends over
// a Transport: plain TCP for http://, TLS with the server verified for https://.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client/tls_client_context.h"
#include "common/error.h"

namespace cuplane::client {

struct Credentials {
  std::string access_key;
  std::string secret_key;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of the first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // The body as JSON (null when it is not JSON).
  boost::json::value Json() const;
};

struct RawRequest {
  std::string method = "POST";
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class Transport;

class ApiClient {
 public:
  // Talks to http://host:port over one keep-alive connection, reconnecting as needed.
  ApiClient(std::string host, std::uint16_t port, Credentials credentials = {});
  // The same over https://host:port, trusting what `tls` trusts (TlsClientContext::Load).
  ApiClient(std::string host, std::uint16_t port, std::shared_ptr<TlsClientContext> tls,
            Credentials credentials = {});
  ~ApiClient();

  // POST {path}?Action={action} with `body` as JSON, signed. Transport failures (including a
  // server whose certificate does not verify) are Errors; any HTTP status (including API
  // errors) is a response.
  Result<HttpResponse> Call(std::string_view path, std::string_view action,
                            const boost::json::value& body);

  // The headers an SDK would sign and send for `request` (Host, Content-Type, x-bce-date,
  // Authorization), added to it. `timestamp` "" means now.
  void Sign(RawRequest& request, const std::string& timestamp = "") const;

  // Sends exactly what it is given (tests use it for malformed and replayed requests).
  Result<HttpResponse> Send(const RawRequest& request);

  const std::string& host_header() const { return host_header_; }
  void set_credentials(Credentials credentials) { credentials_ = std::move(credentials); }

 private:
  std::string host_header_;
  Credentials credentials_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace cuplane::client
