// The Postpaid engine over the store (SPEC §5.3). Each account keeps its burn rate and exact
// usage (core/billing/accrual.h); every event that changes what a unit is billed for goes
// through SetBilledUnits, which changes the rate in O(1) and keeps the unit's size segments. One
// settlement transition per account per period of the UTC grid charges everything accrued, in
// one `postpaid` ledger entry, so the cost of time grows with accounts, not units.
#pragma once

#include <cstdint>
#include <string>

#include "core/lifecycle_config.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core::billing {

// A Postpaid unit is billed for `units` from `at` on: 0 when it stops (released, failed), its
// size when it starts running, the new size when a resize changes what it holds. Closes its
// open segment and opens the next, changes the account's rate, and schedules the account's
// grid settlement when it starts to burn. Prepaid units are ignored.
void SetBilledUnits(store::Transaction& tx, const Instance& instance, std::int64_t units,
                    UnixSeconds at, const LifecycleConfig& config);

// Charges the account what it has accrued up to `at`, off the grid (a release, DescribeAccount):
// the grid is not moved. Charges nothing while a transition of the account due before then is
// still pending (it may change that usage; the next settlement charges it instead). A charge
// that leaves the balance negative puts the account into arrears.
void SettleAccount(store::Transaction& tx, const std::string& account_id, UnixSeconds at,
                   const LifecycleConfig& config);

// The account's grid settlement due at `due_at`: settles, then schedules the next period while
// the account still burns.
void ApplyGridSettlement(store::Transaction& tx, const std::string& account_id,
                         UnixSeconds due_at, const LifecycleConfig& config);

// Usage the account has accrued up to `now` and not yet been charged, in fen.
Money UnsettledUsage(store::Transaction& tx, const std::string& account_id, UnixSeconds now);

// Schedules the grid settlement of every burning account that has none (after a migration
// from per-unit settlement). Idempotent; the server calls it once at start.
int ResumeSettlements(store::Transaction& tx, const LifecycleConfig& config);

// Puts the account into arrears at `at`: its Postpaid units go after the grace period unless it
// is topped up first.
void EnterArrears(store::Transaction& tx, const std::string& account_id, UnixSeconds at,
                  const LifecycleConfig& config);

}  // namespace cuplane::core::billing
