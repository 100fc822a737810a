#include "web/health_endpoints.h"

#include <string>

namespace cuplane::web {
namespace {

std::string Join(const std::vector<int>& versions) {
  std::string out;
  for (int v : versions) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

api::ApiResponse Json(int status, const boost::json::value& body) {
  api::ApiResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  response.body = boost::json::serialize(body) + "\n";
  return response;
}

}  // namespace

Readiness EvaluateReadiness(const Result<StoreReadings>& readings) {
  Readiness r;
  if (!readings.ok()) {
    // The store's message is already free of secrets and URLs.
    r.checks["store"] = "failing: " + readings.error().message;
    r.checks["migrations"] = "unknown";
    r.checks["scheduler"] = "unknown";
    return r;
  }
  r.checks["store"] = "ok";
  bool migrated = readings->missing_migrations.empty();
  r.checks["migrations"] =
      migrated ? "ok" : "failing: not applied: " + Join(readings->missing_migrations);
  bool on_time = readings->scheduler_lag_seconds <= kMaxReadySchedulerLagSeconds;
  r.checks["scheduler"] =
      on_time ? "ok"
              : "failing: " + std::to_string(readings->transitions_due) +
                    " due transition(s), the oldest " +
                    std::to_string(readings->scheduler_lag_seconds) + " s overdue";
  r.ready = migrated && on_time;
  return r;
}

std::optional<api::ApiResponse> RefuseUnlessGet(const api::ApiRequest& request) {
  if (request.method == "GET") return std::nullopt;
  api::ApiResponse response = PlainText(405, "only GET is allowed here");
  response.headers.emplace_back("Allow", "GET");
  return response;
}

void AddHealthRoutes(WebRouter& router, store::Store& store, const Clock& clock) {
  router.AddExact("/healthz", [](const api::ApiRequest& request, std::string_view) {
    if (auto refused = RefuseUnlessGet(request)) return *refused;
    api::ApiResponse response = PlainText(200, "ok");
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  });
  router.AddExact(
      "/readyz",
      [&store, &clock](const api::ApiRequest& request, std::string_view) {
        if (auto refused = RefuseUnlessGet(request)) return *refused;
        Readiness readiness = EvaluateReadiness(ReadStore(store, clock.Now()));
        return Json(readiness.ready ? 200 : 503,
                    boost::json::object{{"ready", readiness.ready}, {"checks", readiness.checks}});
      },
      WebRouter::Store::kRead);
}

}  // namespace cuplane::web
