#include "core/deployments.h"

#include <algorithm>

#include "core/faults.h"

namespace cuplane::core {
namespace {

void ScheduleDeploy(store::Transaction& tx, const Instance& unit, UnixSeconds due_at) {
  tx.ScheduleTransition(
      Transition{0, due_at, TransitionKind::kDeploy, unit.account_id, unit.instance_id});
}

// A scale's end: the new count stands, or (after a fault) the old one comes back.
void FinishScale(Deployment& d, Service& service) {
  if (d.pending_fault) {
    d.replicas = d.previous_replicas;
    d.scale_status = ScaleStatus::kScalingFailed;
    service.failed = true;
  } else {
    d.previous_replicas = d.replicas;
    d.scale_status = ScaleStatus::kNone;
    service.failed = false;
  }
  d.scale_due_at.reset();
  d.pending_fault = false;
  d.deployed_units = HeldUnits(d, service.units_per_replica);
}

}  // namespace

std::int64_t HeldUnits(const Deployment& d, std::int64_t units_per_replica) {
  return std::max(d.replicas, d.previous_replicas) * units_per_replica;
}

std::int64_t UpReplicas(const Deployment& d, bool unit_started) {
  if (!unit_started) return 0;
  return IsScaling(d) ? std::min(d.replicas, d.previous_replicas) : d.replicas;
}

bool IsScaling(const Deployment& d) {
  return d.scale_status == ScaleStatus::kScalingOut || d.scale_status == ScaleStatus::kScalingIn;
}

std::int64_t RoomFor(std::int64_t total, std::int64_t used, std::int64_t held_by_service) {
  return std::max<std::int64_t>(0, total - used + held_by_service);
}

std::int64_t UsedUnits(store::Transaction& tx, const Instance& unit) {
  std::int64_t used = 0;
  for (const Deployment& d : tx.ListDeployments(unit.instance_id)) used += d.deployed_units;
  return used;
}

void StartScale(store::Transaction& tx, const Service& service, const Instance& unit,
                const std::optional<Deployment>& current, std::int64_t replicas,
                UnixSeconds due_at) {
  Deployment d = current.value_or(
      Deployment{.instance_id = unit.instance_id, .service_id = service.service_id});
  d.previous_replicas = d.replicas;
  d.replicas = replicas;
  d.scale_status =
      replicas > d.previous_replicas ? ScaleStatus::kScalingOut : ScaleStatus::kScalingIn;
  d.scale_due_at = due_at;
  d.pending_fault = TakeFault(tx, FaultOperation::kDeploy, service.region, service.type);
  d.deployed_units = HeldUnits(d, service.units_per_replica);
  if (current) {
    tx.UpdateDeployment(d);
  } else {
    tx.InsertDeployment(d);
  }
  ScheduleDeploy(tx, unit, due_at);
}

void DeployOnPurchase(store::Transaction& tx, const Service& service,
                      const std::string& instance_id, std::int64_t replicas) {
  Deployment d{.instance_id = instance_id, .service_id = service.service_id};
  d.replicas = replicas;
  d.scale_status = ScaleStatus::kScalingOut;
  d.pending_fault = TakeFault(tx, FaultOperation::kDeploy, service.region, service.type);
  d.deployed_units = HeldUnits(d, service.units_per_replica);
  tx.InsertDeployment(d);  // no due time yet: StartScalesWaitingForUnit gives it one
}

void StartScalesWaitingForUnit(store::Transaction& tx, const Instance& unit, UnixSeconds at,
                               const LifecycleConfig& config) {
  UnixSeconds due_at = at + config.deploy_delay_seconds;
  bool scheduled = false;
  tx.GetAccount(unit.account_id);  // serialised with DeactivateService (see CompleteDueScales)
  for (Deployment& d : tx.ListDeployments(unit.instance_id)) {
    if (d.scale_status != ScaleStatus::kScalingOut || d.scale_due_at) continue;
    auto service = tx.GetService(d.service_id);
    // A deactivation in flight owns the deployment now; it resolves it when it completes.
    if (!service || service->lifecycle != ServiceLifecycle::kActive) continue;
    d.scale_due_at = due_at;
    tx.UpdateDeployment(d);
    scheduled = true;
  }
  if (scheduled) ScheduleDeploy(tx, unit, due_at);
}

void EndDeploymentsOnRelease(store::Transaction& tx, const Instance& unit, UnixSeconds at) {
  for (const Deployment& d : tx.ListDeployments(unit.instance_id)) {
    tx.RecordPastDeployment(d.instance_id, d.service_id, at);
    auto service = tx.GetService(d.service_id);
    if (service && !service->failed && std::max(d.replicas, d.previous_replicas) > 0) {
      service->failed = true;
      tx.UpdateService(*service);
    }
  }
  tx.DeleteDeployments(unit.instance_id);
}

void CompleteDueScales(store::Transaction& tx, const std::string& account_id,
                       const std::string& instance_id, UnixSeconds at) {
  // The account first, as every service write does: a ScaleService or DeactivateService of
  // this account then runs before or after this, never on a deployment this is finishing.
  if (!tx.GetAccount(account_id)) return;
  for (Deployment& d : tx.ListDeployments(instance_id)) {
    if (!IsScaling(d) || !d.scale_due_at || *d.scale_due_at > at) continue;
    auto service = tx.GetService(d.service_id);
    if (!service) continue;
    FinishScale(d, *service);
    tx.UpdateService(*service);
    if (d.replicas == 0 && d.scale_status == ScaleStatus::kNone) {
      tx.DeleteDeployment(d.instance_id, d.service_id);  // scaled to 0: the deployment ends
    } else {
      tx.UpdateDeployment(d);
    }
  }
}

}  // namespace cuplane::core
