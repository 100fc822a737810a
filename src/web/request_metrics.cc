#include "web/request_metrics.h"

namespace cuplane::web {

RequestMetrics::RequestMetrics(std::span<const api::Route> routes) {
  auto add = [this](std::string_view name) {
    actions_.push_back(std::make_unique<ActionSeries>());
    actions_.back()->name = name;
    return actions_.size() - 1;
  };
  add(kUnknownAction);
  for (const api::Route& route : routes) {
    std::size_t slot = actions_.size();
    for (std::size_t i = 0; i < actions_.size(); ++i) {
      if (actions_[i]->name == route.action) slot = i;
    }
    if (slot == actions_.size()) slot = add(route.action);
    action_of_route_.push_back(slot);
  }
}

std::size_t RequestMetrics::ActionIndex(const api::RequestOutcome& outcome) const {
  auto route = static_cast<std::size_t>(outcome.route);
  return outcome.route >= 0 && route < action_of_route_.size() ? action_of_route_[route] : 0;
}

std::string_view RequestMetrics::ActionOf(const api::RequestOutcome& outcome) const {
  return actions_[ActionIndex(outcome)]->name;
}

void RequestMetrics::Record(const api::RequestOutcome& outcome, std::chrono::nanoseconds latency) {
  ActionSeries& series = *actions_[ActionIndex(outcome)];
  std::size_t code = outcome.error ? 1 + static_cast<std::size_t>(*outcome.error) : 0;
  if (code >= kCodeSlots) code = 1 + static_cast<std::size_t>(ErrorCode::kInternalError);
  series.by_code[code].fetch_add(1, std::memory_order_relaxed);
  series.latency.Observe(latency);
}

void RequestMetrics::Write(PrometheusText& out) const {
  out.Family("cuplane_requests_total", "counter",
             "API requests answered, by Action and answer code (OK or the error code).");
  for (const auto& series : actions_) {
    for (std::size_t code = 0; code < kCodeSlots; ++code) {
      std::uint64_t count = series->by_code[code].load(std::memory_order_relaxed);
      if (count == 0) continue;
      std::string_view code_name =
          code == 0 ? kSuccessCode : ErrorCodeName(static_cast<ErrorCode>(code - 1));
      out.Sample("cuplane_requests_total", {{"action", series->name}, {"code", code_name}}, count);
    }
  }
  out.Family("cuplane_request_duration_seconds", "histogram",
             "Time from a request's arrival to its answer being ready, by Action.");
  for (const auto& series : actions_) {
    auto snapshot = series->latency.Read();
    if (snapshot.count() == 0) continue;
    out.Histogram("cuplane_request_duration_seconds", {{"action", series->name}}, snapshot);
  }
}

}  // namespace cuplane::web
