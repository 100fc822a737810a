// What happens after the API answers a request: its latency is measured (from its arrival at
// the transport), it is counted in RequestMetrics and it gets its line in the request log.
#pragma once

#include <chrono>

#include "api/api_types.h"
#include "web/request_log.h"
#include "web/request_metrics.h"

namespace cuplane::web {

class RequestObserver {
 public:
  RequestObserver(RequestMetrics& metrics, const RequestLog& log) : metrics_(metrics), log_(log) {}

  // `started` is when the API layer got the request; used when the transport did not stamp it.
  void Observe(const api::ApiRequest& request, const api::ApiResponse& response,
               std::chrono::steady_clock::time_point started) const {
    auto from = request.received == std::chrono::steady_clock::time_point{} ? started
                                                                            : request.received;
    auto latency = std::chrono::steady_clock::now() - from;
    metrics_.Record(response.outcome, latency);
    log_.Write(response.outcome, metrics_.ActionOf(response.outcome), response.status, latency);
  }

 private:
  RequestMetrics& metrics_;
  const RequestLog& log_;
};

}  // namespace cuplane::web
