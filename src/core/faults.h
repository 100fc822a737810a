// Injected faults (SPEC §6): stored rows, so they survive a restart, each use taken once. An
// operation takes a fault when it is accepted (a purchase, a resize, a deploy, a deactivation)
// and the failure shows when its delayed step runs, so a client sees the accepted call
// succeed and the unit or service fail later, as with a real cloud's asynchronous failures.
#pragma once

#include <string_view>
#include <vector>

#include "common/error.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// Adds `fault.remaining` uses (≥ 1) to the fault of that operation and pool; an empty region
// or type matches every region or type. Region and type, when given, must be known.
Status InjectFault(store::Transaction& tx, const Fault& fault);

// Every fault with uses left.
std::vector<Fault> DescribeFaults(store::Transaction& tx);

void ClearFaults(store::Transaction& tx);

// Takes one use of the most specific fault matching this operation in the pool (region, type):
// exact pool first, then region only, then type only, then any pool. True when one was taken.
bool TakeFault(store::Transaction& tx, FaultOperation operation, std::string_view region,
               std::string_view type);

}  // namespace cuplane::core
