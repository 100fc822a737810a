// What /metrics and /readyz learn from the store, read in one read transaction: the pools, the
// accounts in arrears, how far the scheduler is behind, and whether every migration this
// binary knows is applied.
#pragma once

#include <cstdint>
#include <vector>

#include "common/error.h"
#include "common/time_util.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::web {

struct StoreReadings {
  std::vector<core::Pool> pools;
  std::int64_t accounts_in_arrears = 0;
  // Transitions due at or before now that have not run, and how long the oldest of them has
  // been due (0 when none is overdue).
  std::int64_t transitions_due = 0;
  std::int64_t scheduler_lag_seconds = 0;
  // Versions of this binary's schema not recorded in the store (empty when up to date).
  std::vector<int> missing_migrations;
};

// ServiceUnavailable or InternalError when the store does not answer.
Result<StoreReadings> ReadStore(store::Store& store, UnixSeconds now);

}  // namespace cuplane::web
