// What the transport hands the API layer and gets back: plain data, no Beast types, so the
// protocol layer can be tested without sockets.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "common/error.h"

namespace cuplane::api {

struct ApiRequest {
  std::string method;  // "POST"
  std::string target;  // origin-form, as received: "/v2/computeunit?Action=..."
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  // When the transport had the whole request: latency is measured from here, so time spent
  // waiting for a worker counts. Default (epoch): from when the API layer got it.
  std::chrono::steady_clock::time_point received{};

  // The value of the first header called `name` (ASCII case-insensitively), or nullptr.
  const std::string* Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (EqualsIgnoreCase(key, name)) return &value;
    }
    return nullptr;
  }
};

// What the API layer made of a request, for metrics and the request log; never sent.
struct RequestOutcome {
  int route = -1;          // index into Routes() (router.h); -1 when no route matched
  std::string request_id;  // as in x-bce-request-id
  // The access key id the request claims (from a parsable Authorization header, verified or
  // not): an id, never a secret.
  std::string access_key;
  std::optional<ErrorCode> error;  // none: success
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  RequestOutcome outcome;
};

// A request after the part of its handling that never waits for the store: answered, or with
// the rest of its work, which may wait for the store and so runs on a worker. `rest` is called
// once at most (it consumes the request it holds).
struct TriagedRequest {
  std::optional<ApiResponse> response;
  std::function<ApiResponse()> rest;
  // The rest only reads the store (a Describe action): it never waits for a commit, so the
  // transport may run it on its read lane, or on the I/O thread itself when the store is local.
  bool reads_only = false;
};

}  // namespace cuplane::api
