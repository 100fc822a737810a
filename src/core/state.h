// The whole state at once (SPEC §6): Reset and named snapshots, what a test suite calls
// between tests. Each runs in the caller's one transaction, so other requests see the state
// before or after, never a mix.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "common/secret_box.h"
#include "core/bootstrap.h"
#include "store/store.h"

namespace cuplane::core {

// Every account, user, key, service, unit, order, ledger entry, fault and scheduled
// transition is gone, and `spec` (the bootstrap file, or the demo) is applied again as of
// `now`. Operator keys are kept. The virtual clock is the caller's (the scheduler's) business.
Status ResetState(store::Transaction& tx, const SecretBox& box, const BootstrapSpec& spec,
                  UnixSeconds now);

// InvalidParameter for a name that is not an identifier.
Result<store::SnapshotInfo> SaveSnapshot(store::Transaction& tx, const std::string& name,
                                         UnixSeconds now);
// ResourceNotFound when there is no snapshot of that name.
Status RestoreSnapshot(store::Transaction& tx, const std::string& name);
Status DeleteSnapshot(store::Transaction& tx, const std::string& name);
std::vector<store::SnapshotInfo> ListSnapshots(store::Transaction& tx);

}  // namespace cuplane::core
