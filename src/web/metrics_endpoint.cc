#include "web/metrics_endpoint.h"

#include "web/health_endpoints.h"
#include "web/prometheus_text.h"
#include "web/store_readings.h"

#ifndef CUPLANE_VERSION
#define CUPLANE_VERSION "unknown"
#endif

namespace cuplane::web {
namespace {

void WriteStoreStats(PrometheusText& out, const store::StoreStats& stats) {
  struct Mode {
    std::string_view name;
    const store::TransactionStats& stats;
  };
  const Mode modes[] = {{"read", stats.read}, {"write", stats.write}};
  out.Family("cuplane_store_transaction_duration_seconds", "histogram",
             "Store transactions by mode (read or write), from begin to commit or rollback.");
  for (const Mode& m : modes) {
    out.Histogram("cuplane_store_transaction_duration_seconds", {{"mode", m.name}},
                  m.stats.latency.Read());
  }
  out.Family("cuplane_store_transaction_errors_total", "counter",
             "Store transactions that failed in the storage itself, by mode and the answer "
             "given (ServiceUnavailable: busy or unreachable; InternalError: anything else).");
  for (const Mode& m : modes) {
    out.Sample("cuplane_store_transaction_errors_total",
               {{"mode", m.name}, {"code", "ServiceUnavailable"}},
               m.stats.unavailable.load(std::memory_order_relaxed));
    out.Sample("cuplane_store_transaction_errors_total",
               {{"mode", m.name}, {"code", "InternalError"}},
               m.stats.internal.load(std::memory_order_relaxed));
  }
}

void WriteScheduler(PrometheusText& out, const scheduler::Scheduler& scheduler) {
  out.Family("cuplane_scheduler_transitions_applied_total", "counter",
             "Timed transitions (provisioning, expiry, renewal, settlement, release) this "
             "server applied.");
  out.Sample("cuplane_scheduler_transitions_applied_total", {}, scheduler.transitions_applied());
  out.Family("cuplane_scheduler_failed_passes_total", "counter",
             "Background scheduler passes that failed because the store refused; each is "
             "retried on the next pass.");
  out.Sample("cuplane_scheduler_failed_passes_total", {}, scheduler.failed_passes());
}

void WriteStoreReadings(PrometheusText& out, const StoreReadings& r) {
  out.Family("cuplane_scheduler_lag_seconds", "gauge",
             "How long the oldest transition that is due has been waiting (0: nothing overdue).");
  out.Sample("cuplane_scheduler_lag_seconds", {}, r.scheduler_lag_seconds);
  out.Family("cuplane_scheduler_due_transitions", "gauge",
             "Transitions due now that have not run yet (the scheduler's backlog).");
  out.Sample("cuplane_scheduler_due_transitions", {}, r.transitions_due);
  out.Family("cuplane_pool_units", "gauge", "Compute units in a pool, by region and type.");
  for (const core::Pool& p : r.pools) {
    out.Sample("cuplane_pool_units", {{"region", p.region}, {"type", p.type}}, p.total_units);
  }
  out.Family("cuplane_pool_allocated_units", "gauge",
             "Compute units of a pool held by live units, by region and type.");
  for (const core::Pool& p : r.pools) {
    out.Sample("cuplane_pool_allocated_units", {{"region", p.region}, {"type", p.type}},
               p.allocated_units);
  }
  out.Family("cuplane_accounts_in_arrears", "gauge",
             "Accounts whose balance is negative (their Postpaid units are released after the "
             "arrears grace).");
  out.Sample("cuplane_accounts_in_arrears", {}, r.accounts_in_arrears);
  out.Family("cuplane_store_missing_migrations", "gauge",
             "Schema migrations of this binary not applied to the store (readiness needs 0).");
  out.Sample("cuplane_store_missing_migrations", {},
             static_cast<std::int64_t>(r.missing_migrations.size()));
}

}  // namespace

std::string RenderMetrics(const MetricsSources& sources) {
  PrometheusText out;
  out.Family("cuplane_build_info", "gauge", "Always 1; the labels say which build this is.");
  out.Sample("cuplane_build_info", {{"version", CUPLANE_VERSION}}, std::int64_t{1});
  out.Family("cuplane_start_time_seconds", "gauge", "When the process started (Unix time).");
  out.Sample("cuplane_start_time_seconds", {}, sources.started_at);
  out.Family("cuplane_clock_seconds", "gauge",
             "The server's business time (Unix time): the virtual clock under --clock virtual.");
  out.Sample("cuplane_clock_seconds", {}, sources.clock.Now());
  sources.requests.Write(out);
  WriteScheduler(out, sources.scheduler);
  auto readings = ReadStore(sources.store, sources.clock.Now());
  out.Family("cuplane_store_up", "gauge",
             "1 when this scrape could read the store; 0 leaves out the families read from it.");
  out.Sample("cuplane_store_up", {}, std::int64_t{readings.ok() ? 1 : 0});
  if (readings.ok()) WriteStoreReadings(out, *readings);
  // Last, so the scrape's own store read is counted.
  WriteStoreStats(out, sources.store.stats());
  return out.Take();
}

void AddMetricsRoute(WebRouter& router, MetricsSources sources) {
  router.AddExact("/metrics", [sources](const api::ApiRequest& request, std::string_view) {
    if (auto refused = RefuseUnlessGet(request)) return *refused;
    api::ApiResponse response;
    response.status = 200;
    response.headers = {{"Content-Type", std::string(PrometheusText::kContentType)},
                        {"Cache-Control", "no-store"}};
    response.body = RenderMetrics(sources);
    return response;
  }, WebRouter::Store::kRead);
}

}  // namespace cuplane::web
