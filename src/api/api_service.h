// The protocol layer's entry point: one ApiRequest in, one ApiResponse out. It routes, checks
// the signature and the caller's policy, parses the body and runs the handler. It may block on
// the database, so the transport calls it from a worker thread, never from an I/O thread.
#pragma once

#include "api/api_types.h"
#include "api/rate_limiter.h"
#include "api/server_context.h"
#include "auth/key_cache.h"

namespace cuplane::api {

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

  ApiResponse Handle(const ApiRequest& request);

  // Whether `request` names a read action (Describe*): the transport may run those on a lane
  // of their own. A request that is not a valid API call counts as not a read.
  static bool IsRead(const ApiRequest& request);

 private:
  ServerContext context_;
  auth::KeyCache keys_;
  RateLimiter read_limiter_;   // Describe* and other reads
  RateLimiter write_limiter_;  // purchases, changes, operator writes
};

}  // namespace cuplane::api
