#include "core/state.h"

#include "core/tenants.h"

namespace cuplane::core {
namespace {

Status SnapshotNotFound(const std::string& name) {
  return MakeError(ErrorCode::kResourceNotFound, "no snapshot named " + name);
}

}  // namespace

Status ResetState(store::Transaction& tx, const SecretBox& box, const BootstrapSpec& spec,
                  UnixSeconds now) {
  tx.ClearState();
  return ApplyBootstrap(tx, box, spec, now);
}

Result<store::SnapshotInfo> SaveSnapshot(store::Transaction& tx, const std::string& name,
                                         UnixSeconds now) {
  CUPLANE_TRY(ValidateIdentifier(name, "name"));
  return tx.SaveSnapshot(name, now);
}

Status RestoreSnapshot(store::Transaction& tx, const std::string& name) {
  CUPLANE_TRY(ValidateIdentifier(name, "name"));
  if (!tx.RestoreSnapshot(name)) return SnapshotNotFound(name);
  return OkStatus();
}

Status DeleteSnapshot(store::Transaction& tx, const std::string& name) {
  CUPLANE_TRY(ValidateIdentifier(name, "name"));
  if (!tx.DeleteSnapshot(name)) return SnapshotNotFound(name);
  return OkStatus();
}

std::vector<store::SnapshotInfo> ListSnapshots(store::Transaction& tx) {
  return tx.ListSnapshots();
}

}  // namespace cuplane::core
