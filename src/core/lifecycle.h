// How a compute unit lives and dies (SPEC §5): each timed transition is a durable row that the
// scheduler hands to ApplyTransition inside one write transaction. Every transition is applied
// "at" its due time, not at the wall-clock time it happens to run, so catching up after a
// restart or a virtual-clock jump gives the same balances and timestamps as running on time.
#pragma once

#include "common/error.h"
#include "core/lifecycle_config.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// Applies one due transition; a transition whose subject has moved on (already released,
// no longer in arrears) is a no-op. The caller deletes the transition row in the same
// transaction.
Status ApplyTransition(store::Transaction& tx, const Transition& transition,
                       const LifecycleConfig& config);

// Releases a live unit at `at`: stops its Postpaid billing and settles the account at once,
// returns its units to the pool, ends its deployments and cancels its pending transitions.
// Releasing -> Released happens within this one transaction.
void ReleaseInstance(store::Transaction& tx, Instance& instance, UnixSeconds at,
                     const LifecycleConfig& config);

// Every change of what a Postpaid unit is billed for goes through here: provisioned (from 0 to
// its size), resized, released or failed (to 0). The account's billing engine
// (core/billing/settlement.h) changes its burn rate from `at` on and keeps the unit's size
// segments. A Prepaid unit is not billed by usage: no-op.
void SetBilledUnits(store::Transaction& tx, Instance& instance, std::int64_t units, UnixSeconds at,
                    const LifecycleConfig& config);


// A failed provisioning: CreateFailed, capacity returned, the purchase refunded in full.
void FailProvisioning(store::Transaction& tx, Instance& instance, UnixSeconds at,
                      const std::string& reason);

// Called after a credit: clears arrears when the balance is no longer negative.
void ClearArrearsIfPaid(store::Transaction& tx, const std::string& account_id);

}  // namespace cuplane::core
