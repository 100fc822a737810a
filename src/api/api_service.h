// The protocol layer's entry point: one ApiRequest in, one ApiResponse out. It routes, checks
// the signature and the caller's policy, parses the body and runs the handler.
//
// Handling is split where it may first wait for the store (SPEC §7: requests that need no
// storage never wait behind those that do). Triage() needs no store and never blocks, so the
// transport runs it on an I/O thread: it answers what it can refuse outright (method, path,
// Action, a missing, malformed or expired Authorization) and hands back the rest for a worker.
// The rest runs under a store::CallDeadline counted from the request's arrival.
#pragma once

#include <functional>
#include <optional>

#include "api/api_types.h"
#include "api/rate_limiter.h"
#include "api/router.h"
#include "auth/authorization_header.h"
#include "api/server_context.h"
#include "auth/key_cache.h"

namespace cuplane::api {

// A request target split up: the path as sent (still percent-encoded, as signed), decoded,
// and the decoded query parameters.
struct ParsedTarget {
  std::string path;
  std::string decoded_path;
  std::vector<std::pair<std::string, std::string>> query;
};

struct ThrottleConfig {
  double read_rate = 1000;  // requests per second per access key; 0 disables
  double read_burst = 2000;
  double write_rate = 200;
  double write_burst = 400;
};

class ApiService {
 public:
  explicit ApiService(ServerContext context, ThrottleConfig throttle = {})
      : context_(std::move(context)),
        keys_(context_.store, context_.secrets),
        read_limiter_(throttle.read_rate, throttle.read_burst),
        write_limiter_(throttle.write_rate, throttle.write_burst) {}

  TriagedRequest Triage(ApiRequest request);

  // Both steps in the caller's thread (tests, fuzzers).
  ApiResponse Handle(const ApiRequest& request);

 private:
  static ApiResponse Refusal(const Error& error, const std::string& request_id, int route_index,
                             std::string access_key);
  // The part of a request that may wait for the store (run under its CallDeadline).
  // Consumes `request`'s method and headers and `target`'s path and query.
  ApiResponse Continue(ApiRequest& request, ParsedTarget& target, const Route& route,
                       const auth::BceAuthorization& credentials, const std::string& request_id);

  ServerContext context_;
  auth::KeyCache keys_;
  RateLimiter read_limiter_;   // Describe* and other reads
  RateLimiter write_limiter_;  // purchases, changes, operator writes
};

}  // namespace cuplane::api
