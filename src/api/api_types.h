// What the transport hands the API layer and gets back: plain data, no Beast types, so the
// protocol layer can be tested without sockets.
#pragma once

#include <functional>
#include <optional>
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

// A request after the part of its handling that never waits for the store: answered, or with
// the rest of its work, which may wait for the store and so runs on a worker.
struct TriagedRequest {
  std::optional<ApiResponse> response;
  std::function<ApiResponse()> rest;
};

}  // namespace cuplane::api
