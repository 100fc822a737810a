#include "web/store_readings.h"

#include <algorithm>

#include "store/schema.h"

namespace cuplane::web {

Result<StoreReadings> ReadStore(store::Store& store, UnixSeconds now) {
  return store.Read<StoreReadings>([now](store::Transaction& tx) -> Result<StoreReadings> {
    StoreReadings r;
    r.pools = tx.ListPools();
    r.accounts_in_arrears = tx.CountAccountsInArrears();
    r.transitions_due = tx.CountTransitionsDue(now);
    if (auto next = tx.NextDueTime(); next && *next < now) r.scheduler_lag_seconds = now - *next;
    std::vector<int> applied = tx.AppliedMigrations();
    for (const store::Migration& m : store::Migrations()) {
      if (!std::binary_search(applied.begin(), applied.end(), m.version)) {
        r.missing_migrations.push_back(m.version);
      }
    }
    return r;
  });
}

}  // namespace cuplane::web
