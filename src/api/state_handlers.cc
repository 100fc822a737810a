#include "api/state_handlers.h"

#include "core/state.h"
#include "scheduler/scheduler.h"

namespace cuplane::api {
namespace {

Result<std::string> SnapshotName(const JsonFields& body) {
  return body.RequiredString("name", kMaxIdentifierLength);
}

}  // namespace

Result<boost::json::value> HandleReset(CallContext& call, const JsonFields& body) {
  const core::BootstrapSpec* spec = call.server.reset_spec;
  if (spec == nullptr) {
    return MakeError(ErrorCode::kOperationNotAllowed, "this server has no state to reset to");
  }
  CUPLANE_TRY(call.server.scheduler.ReplaceState([&](store::Transaction& tx, UnixSeconds start) {
    return core::ResetState(tx, call.server.secrets, *spec, start);
  }));
  return boost::json::value(true);
}

Result<boost::json::value> HandleSaveSnapshot(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string name, SnapshotName(body));
  auto saved = call.server.store.Write<store::SnapshotInfo>(
      [&](store::Transaction& tx) { return core::SaveSnapshot(tx, name, call.now); });
  if (!saved.ok()) return saved.error();
  return boost::json::value(true);
}

Result<boost::json::value> HandleRestoreSnapshot(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string name, SnapshotName(body));
  CUPLANE_TRY(call.server.scheduler.ReplaceState(
      [&](store::Transaction& tx, UnixSeconds) { return core::RestoreSnapshot(tx, name); }));
  return boost::json::value(true);
}

Result<boost::json::value> HandleDeleteSnapshot(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string name, SnapshotName(body));
  auto deleted = call.server.store.Write<Ok>(
      [&](store::Transaction& tx) { return core::DeleteSnapshot(tx, name); });
  if (!deleted.ok()) return deleted.error();
  return boost::json::value(true);
}

Result<boost::json::value> HandleDescribeSnapshots(CallContext& call, const JsonFields& body) {
  auto listed = call.server.store.Read<std::vector<store::SnapshotInfo>>(
      [&](store::Transaction& tx) -> Result<std::vector<store::SnapshotInfo>> {
        return core::ListSnapshots(tx);
      });
  if (!listed.ok()) return listed.error();
  boost::json::array snapshots;
  for (const store::SnapshotInfo& s : *listed) {
    snapshots.push_back(boost::json::object{{"name", s.name},
                                            {"savedAt", FormatUtc(s.saved_at)},
                                            {"rows", s.rows},
                                            {"digest", s.digest}});
  }
  return boost::json::value(boost::json::object{{"snapshots", std::move(snapshots)}});
}

}  // namespace cuplane::api
