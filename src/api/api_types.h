// What the transport hands the API layer and gets back: plain data, no Beast types, so the
// protocol layer can be tested without sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace cuplane::api {

struct ApiRequest {
  std::string method;  // "POST"
  std::string target;  // origin-form, as received: "/v2/computeunit?Action=..."
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

}  // namespace cuplane::api
