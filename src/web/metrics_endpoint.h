// GET /metrics: everything an operator scrapes, in the Prometheus text format. Request and
// store counters are read from atomics; the pools, arrears and scheduler backlog come from one
// read transaction per scrape. When the store does not answer, those families are left out and
// cuplane_store_up is 0, so a scrape still succeeds and says why the numbers are missing.
#pragma once

#include "common/clock.h"
#include "scheduler/scheduler.h"
#include "store/store.h"
#include "web/request_metrics.h"
#include "web/web_router.h"

namespace cuplane::web {

struct MetricsSources {
  const RequestMetrics& requests;
  store::Store& store;
  const scheduler::Scheduler& scheduler;
  const Clock& clock;       // the business time (virtual under --clock virtual)
  UnixSeconds started_at;   // real time the process started
};

// The whole exposition.
std::string RenderMetrics(const MetricsSources& sources);

void AddMetricsRoute(WebRouter& router, MetricsSources sources);

}  // namespace cuplane::web
