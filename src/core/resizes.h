// ResizeComputeUnit (SPEC §4.7): a unit's size changes to an absolute count. A growth takes its
// units from the pool (and, Prepaid, pays the rest of the term pro-rated) when it is accepted; a
// shrink gives its units back (and, Prepaid, is refunded for the rest of the term) when it
// completes. Either way the unit is Reconfiguring until its durable `reconfigure` transition
// runs, and totalComputeUnits is always what it holds and is billed for: the new size during a
// growth, the old one during a shrink. A reconfigure fault taken at acceptance makes that
// transition undo a growth (units returned, its Prepaid charge refunded) and leaves the unit
// ReconfigureFailed at its old size; ReconfigureFailed counts as Running until the next
// successful resize.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"
#include "core/compute_units.h"
#include "core/lifecycle_config.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

struct ResizeOrder {
  std::string instance_id;
  std::int64_t count = 0;    // the size after the change, 1..100000
  std::string client_token;  // "" when none
};

// Accepts a resize of one of the caller's units, in SPEC §4's error order (ResourceNotFound,
// OperationNotAllowed, InsufficientInventory, InsufficientBalance). Remembers the clientToken,
// whose replay returns the first result.
Result<PurchaseResult> ResizeComputeUnit(store::Transaction& tx, const Principal& caller,
                                         const ResizeOrder& order, const LifecycleConfig& config,
                                         UnixSeconds now);

// The unit's reconfigure transition at `at`: the resize in flight completes (Running at the new
// size) or, having taken a fault, fails (ReconfigureFailed at the old size). No-op when the unit
// is no longer Reconfiguring (it was released meanwhile).
void CompleteResize(store::Transaction& tx, Instance& unit, UnixSeconds at,
                    const LifecycleConfig& config);

// A growth is in flight: the unit already holds (and is billed for) the larger size.
bool IsGrowing(const Instance& unit);

}  // namespace cuplane::core
