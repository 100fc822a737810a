// Counts and times every API request by Action and answer code, for /metrics
// (cuplane_requests_total, cuplane_request_duration_seconds). The label values come from the
// route table and the error codes only, never from the request, so the number of series is
// bounded whatever clients send. Recording is a few relaxed atomic increments: no lock, no
// allocation.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_types.h"
#include "api/router.h"
#include "common/latency_histogram.h"
#include "web/prometheus_text.h"

namespace cuplane::web {

class RequestMetrics {
 public:
  // The label of requests that matched no route (unknown path or Action, not a POST, ...).
  static constexpr std::string_view kUnknownAction = "unknown";
  // The code label of a success.
  static constexpr std::string_view kSuccessCode = "OK";

  explicit RequestMetrics(std::span<const api::Route> routes = api::Routes());

  void Record(const api::RequestOutcome& outcome, std::chrono::nanoseconds latency);

  // The two families, with a series for each (action, code) seen so far.
  void Write(PrometheusText& out) const;

  // The Action label of a request's route (kUnknownAction when it matched none).
  std::string_view ActionOf(const api::RequestOutcome& outcome) const;

 private:
  // Slot 0 is success; an error code sits at 1 + its enum value.
  static constexpr std::size_t kCodeSlots = 64;
  struct ActionSeries {
    std::string_view name;
    std::array<std::atomic<std::uint64_t>, kCodeSlots> by_code{};
    LatencyHistogram latency;
  };

  // The index into actions_ of a request's Action.
  std::size_t ActionIndex(const api::RequestOutcome& outcome) const;

  // One series per distinct Action name (several paths serve PurchaseComputeUnit), the
  // unknown one first. unique_ptr: atomics do not move.
  std::vector<std::unique_ptr<ActionSeries>> actions_;
  std::vector<std::size_t> action_of_route_;  // route index -> index into actions_
};

}  // namespace cuplane::web
