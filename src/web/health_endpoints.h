// GET /healthz and GET /readyz, for load balancers and orchestrators; unauthenticated, and
// revealing nothing but the state of the checks.
//   /healthz  200 while the process serves requests (it touches nothing else).
//   /readyz   200 when the store answers, every migration is applied and the scheduler is at
//             most a minute behind; 503 otherwise. The JSON body says which check failed.
#pragma once

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/error.h"
#include "store/store.h"
#include "web/store_readings.h"
#include "web/web_router.h"

namespace cuplane::web {

// How far behind (overdue transitions) the scheduler may be and the server still be ready.
inline constexpr std::int64_t kMaxReadySchedulerLagSeconds = 60;

struct Readiness {
  bool ready = false;
  boost::json::object checks;  // {"store": "ok" | why, "migrations": …, "scheduler": …}
};

Readiness EvaluateReadiness(const Result<StoreReadings>& readings);

void AddHealthRoutes(WebRouter& router, store::Store& store, const Clock& clock);

// 405 for a method other than GET on a machine endpoint; nullopt for a GET.
std::optional<api::ApiResponse> RefuseUnlessGet(const api::ApiRequest& request);

}  // namespace cuplane::web
