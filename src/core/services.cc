#include "core/services.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "common/random_id.h"
#include "core/client_tokens.h"
#include "core/deployments.h"
#include "core/faults.h"
#include "core/ownership.h"

namespace cuplane::core {
namespace {

Error NotAllowed(std::string message) {
  return MakeError(ErrorCode::kOperationNotAllowed, std::move(message));
}

// Every write starts here: reading the account in a write transaction locks it (PostgreSQL),
// so the writes of one account, the scheduler's included, run one after another and a rule
// never decides on room or state another transaction is changing.
Status LockAccount(store::Transaction& tx, const Principal& caller) {
  if (!tx.GetAccount(caller.account_id)) return NotFound("account", caller.account_id);
  return OkStatus();
}

// ReconfigureFailed is accepted wherever Running is (SPEC §4.7).
bool CanHostReplicas(const Instance& unit) {
  return unit.status == InstanceStatus::kRunning ||
         unit.status == InstanceStatus::kReconfigureFailed;
}

Status CheckRoom(const Instance& unit, std::int64_t used, std::int64_t held_by_service,
                 std::int64_t replicas, std::int64_t units_per_replica) {
  std::int64_t room = RoomFor(unit.total_units, used, held_by_service);
  if (replicas * units_per_replica <= room) return OkStatus();
  return NotAllowed("compute unit " + unit.instance_id + " has " + std::to_string(room) +
                    " free compute unit(s) for this service; " + std::to_string(replicas) +
                    " replica(s) need " + std::to_string(replicas * units_per_replica));
}

std::string PayType(bool prepay, bool postpay) {
  if (prepay && postpay) return "Prepay,Postpay";
  if (prepay) return "Prepay";
  return postpay ? "Postpay" : "";
}

// Whether `unit` counts as started for `service`'s replicas on it: live, in the service's
// account, past Creating. The one rule for Detail and for the run status alone.
bool StartedFor(const Service& service, const Instance& unit) {
  return unit.account_id == service.account_id && !unit.released_at && !IsTerminal(unit.status) &&
         unit.status != InstanceStatus::kCreating;
}

ServiceDetail Detail(store::Transaction& tx, Service service) {
  ServiceDetail detail;
  store::InstanceFilter filter;
  filter.account_id = service.account_id;
  filter.service_id = service.service_id;
  filter.hide_released_before = std::numeric_limits<UnixSeconds>::max();  // live units only
  std::map<std::string, Instance> units;
  bool prepay = false, postpay = false;
  for (Instance& unit : tx.ListInstances(filter)) {
    if (IsTerminal(unit.status)) continue;
    (unit.payment_timing == PaymentTiming::kPrepaid ? prepay : postpay) = true;
    units.emplace(unit.instance_id, std::move(unit));
  }
  std::vector<PlacedDeployment> placed;
  for (Deployment& d : tx.ListDeploymentsOfService(service.service_id)) {
    auto unit = units.find(d.instance_id);
    bool started = unit != units.end() && StartedFor(service, unit->second);
    detail.replicas += d.replicas;
    placed.push_back(PlacedDeployment{d, started});
    detail.deployments.push_back(std::move(d));
  }
  detail.run_status = DeriveRunStatus(service, placed);
  detail.pay_type = PayType(prepay, postpay);
  detail.service = std::move(service);
  return detail;
}

bool Matches(const ServiceDetail& d, const ServiceQuery& query) {
  if (!query.name_contains.empty() &&
      d.service.name.find(query.name_contains) == std::string::npos) {
    return false;
  }
  return query.run_statuses.empty() ||
         std::find(query.run_statuses.begin(), query.run_statuses.end(), d.run_status) !=
             query.run_statuses.end();
}

// A marker names the last service of the page before: "<createdAt>-<seq>".
std::string EncodeMarker(const Service& s) {
  return std::to_string(s.created_at) + "-" + std::to_string(s.seq);
}

Result<store::ServiceCursor> DecodeMarker(const std::string& marker) {
  store::ServiceCursor cursor;
  if (marker.empty()) return cursor;
  auto bad = [] { return InvalidParameter("marker must be a value returned as nextMarker"); };
  auto dash = marker.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == marker.size() || marker.size() > 40 ||
      marker.find_first_not_of("0123456789-") != std::string::npos ||
      marker.find('-', dash + 1) != std::string::npos) {
    return bad();
  }
  try {
    cursor.created_at = std::stoll(marker.substr(0, dash));
    cursor.seq = std::stoll(marker.substr(dash + 1));
  } catch (const std::exception&) {
    return bad();
  }
  cursor.started = true;
  return cursor;
}

// The deactivation's end: Stopped with every deployment gone, or (after a fault)
// DeactivationFailed with the deployments kept and the scales it interrupted failed.
void FinishDeactivation(store::Transaction& tx, Service& service) {
  bool failed = service.pending_fault;
  for (Deployment& d : tx.ListDeploymentsOfService(service.service_id)) {
    if (!failed) {
      tx.DeleteDeployment(d.instance_id, d.service_id);
    } else if (IsScaling(d)) {
      d.replicas = d.previous_replicas;
      d.scale_status = ScaleStatus::kScalingFailed;
      d.scale_due_at.reset();
      d.pending_fault = false;
      d.deployed_units = HeldUnits(d, service.units_per_replica);
      tx.UpdateDeployment(d);
    }
  }
  service.lifecycle = failed ? ServiceLifecycle::kDeactivationFailed : ServiceLifecycle::kStopped;
  service.deactivate_at.reset();
  service.pending_fault = false;
  tx.UpdateService(service);
}

// A new service record of the caller's, placed in `region` on units of `type`.
Service MakeService(const Principal& caller, const NewService& request, const std::string& region,
                    const std::string& type, std::int64_t units_per_replica, UnixSeconds now) {
  Service service;
  service.service_id = "svco-" + RandomLowerAlnum(12);
  service.account_id = caller.account_id;
  service.name = request.name;
  service.region = region;
  service.type = type;
  service.units_per_replica = units_per_replica;
  service.creator = caller.user_name;
  service.created_at = now;
  service.description = request.description;
  service.url_suffix = request.url_suffix;
  service.model_set_id = request.model_set_id;
  service.model_id = request.model_id;
  return service;
}

// Every parameter of a CreateService, defaults applied, each length-prefixed so that no two
// requests share a text (a description may hold any character).
std::string CreateParameters(const NewService& request) {
  std::string text;
  auto add = [&text](std::string_view field) {
    text += std::to_string(field.size()) + ":" + std::string(field) + ";";
  };
  for (const std::string* field : {&request.name, &request.description, &request.url_suffix,
                                   &request.model_set_id, &request.model_id}) {
    add(*field);
  }
  if (const auto& r = request.resources) {
    add("resources");
    add(r->region.empty() ? "*" : r->region);  // absent is not the region it would choose
    add(r->unit_type);
    add(std::to_string(r->units_per_replica));
    add(std::to_string(r->replicas));
    add(r->billing.Canonical());
    return text;
  }
  add("units");
  add(std::to_string(request.units_per_replica));
  for (const Placement& p : request.placements) {
    add(p.instance_id);
    add(std::to_string(p.replicas));
  }
  return text;
}

Result<std::string> CreateOnUnits(store::Transaction& tx, const Principal& caller,
                                  const NewService& request, const LifecycleConfig& config,
                                  UnixSeconds now) {
  std::vector<Instance> units;
  for (const Placement& p : request.placements) {
    CUPLANE_ASSIGN_OR_RETURN(Instance unit, OwnedInstance(tx, caller, p.instance_id));
    units.push_back(std::move(unit));
  }
  for (size_t i = 0; i < units.size(); ++i) {
    const Instance& unit = units[i];
    if (!CanHostReplicas(unit)) {
      return NotAllowed("compute unit " + unit.instance_id + " is " +
                        std::string(ToString(unit.status)) + "; replicas need a Running unit");
    }
    if (unit.region != units[0].region || unit.type != units[0].type) {
      return NotAllowed("the units of one service must be of one region and type: " +
                        unit.instance_id + " is " + unit.region + "/" + unit.type + ", " +
                        units[0].instance_id + " is " + units[0].region + "/" + units[0].type);
    }
    CUPLANE_TRY(CheckRoom(unit, UsedUnits(tx, unit), 0, request.placements[i].replicas,
                          request.units_per_replica));
  }
  Service service = MakeService(caller, request, units[0].region, units[0].type,
                                request.units_per_replica, now);
  tx.InsertService(service);
  for (size_t i = 0; i < units.size(); ++i) {
    StartScale(tx, service, units[i], std::nullopt, request.placements[i].replicas,
               now + config.deploy_delay_seconds);
  }
  return service.service_id;
}

// The service and its unit in one go, as a purchase for an existing service would buy it.
Result<std::string> CreateWithUnit(store::Transaction& tx, const Principal& caller,
                                   const NewService& request, const LifecycleConfig& config,
                                   UnixSeconds now) {
  const ServiceResources& r = *request.resources;
  // At most 100000 replicas of at most 8 units: no overflow.
  const std::int64_t units = r.replicas * r.units_per_replica;
  CUPLANE_ASSIGN_OR_RETURN(std::string region, PlacePurchase(tx, r.unit_type, r.region, units));
  Service service = MakeService(caller, request, region, r.unit_type, r.units_per_replica, now);
  tx.InsertService(service);
  UnitSpec spec{region, r.unit_type, units, service.service_id, r.replicas};
  CUPLANE_ASSIGN_OR_RETURN(PurchaseResult bought, BuyUnit(tx, caller, spec, r.billing, config, now));
  DeployOnPurchase(tx, service, bought.instance_id, r.replicas);
  return service.service_id;
}

}  // namespace

// --- rules -------------------------------------------------------------------------------------

std::optional<ServiceTypeName> ParseServiceTypeName(std::string_view text) {
  auto upper = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
  };
  std::string name = upper(text);
  if (name == "CPU-1-1") return ServiceTypeName{"cpu", 1};
  // GPU-<n>-<k>: one digit each.
  if (name.size() != 7 || name.compare(0, 4, "GPU-") != 0 || name[5] != '-') return std::nullopt;
  char n = name[4], k = name[6];
  if (n < '1' || n > '6') return std::nullopt;
  if (k != '1' && k != '2' && k != '4' && k != '8') return std::nullopt;
  return ServiceTypeName{std::string("gpu-") + n, k - '0'};
}

std::string FormatServiceTypeName(const std::string& unit_type, std::int64_t units_per_replica) {
  std::string k = std::to_string(units_per_replica);
  if (unit_type == "cpu") return "CPU-1-" + k;
  if (unit_type.rfind("gpu-", 0) == 0) return "GPU-" + unit_type.substr(4) + "-" + k;
  return unit_type + "-" + k;
}

RunStatus DeriveRunStatus(const Service& service,
                          const std::vector<PlacedDeployment>& deployments) {
  switch (service.lifecycle) {
    case ServiceLifecycle::kDeactivating:
      return RunStatus::kDeactivating;
    case ServiceLifecycle::kStopped:
      return RunStatus::kStopped;
    case ServiceLifecycle::kDeactivationFailed:
      return RunStatus::kDeactivationFailed;
    case ServiceLifecycle::kActive:
      break;
  }
  bool deploying = false;
  for (const PlacedDeployment& p : deployments) {
    if (UpReplicas(p.deployment, p.unit_started) > 0) return RunStatus::kServing;
    deploying = deploying || p.deployment.scale_status == ScaleStatus::kScalingOut;
  }
  if (deploying) return RunStatus::kDeploying;
  return service.failed ? RunStatus::kFailed : RunStatus::kNew;
}

namespace {

// The run status alone, as Detail derives it, without listing the service's units: each
// deployment's unit is looked up by its key (started: live, in the service's account, past
// Creating). A unit's detail shows the run status of every service on it, and Detail's listing
// (three index lookups merged and sorted in temporary tables) was the costliest statement of a
// DescribeComputeUnit in the profile.
template <typename UnitOf>
RunStatus RunStatusFromDeployments(store::Transaction& tx, const Service& service,
                                   UnitOf unit_of) {
  if (service.lifecycle != ServiceLifecycle::kActive) return DeriveRunStatus(service, {});
  std::vector<PlacedDeployment> placed;
  for (Deployment& d : tx.ListDeploymentsOfService(service.service_id)) {
    std::optional<Instance> unit = unit_of(d.instance_id);
    bool started = unit && StartedFor(service, *unit);
    placed.push_back(PlacedDeployment{std::move(d), started});
  }
  return DeriveRunStatus(service, placed);
}

}  // namespace

RunStatus ServiceRunStatus(store::Transaction& tx, const Service& service) {
  return RunStatusFromDeployments(tx, service,
                                  [&](const std::string& id) { return tx.GetInstance(id); });
}

RunStatus ServiceRunStatus(store::Transaction& tx, const Service& service, const Instance& unit,
                           const Deployment& on_unit) {
  // An active service with a replica up on this unit is Serving whatever its other deployments
  // say (DeriveRunStatus stops at the first one up), so they need not be read: the usual case
  // of a unit's detail.
  bool started = StartedFor(service, unit);
  if (service.lifecycle == ServiceLifecycle::kActive && UpReplicas(on_unit, started) > 0) {
    return RunStatus::kServing;
  }
  return RunStatusFromDeployments(tx, service, [&](const std::string& id) {
    return id == unit.instance_id ? std::optional<Instance>(unit) : tx.GetInstance(id);
  });
}

Status CheckDeployable(const Service& service) {
  if (service.lifecycle == ServiceLifecycle::kActive) return OkStatus();
  return NotAllowed("service " + service.service_id + " is " +
                    std::string(ToString(service.lifecycle)) + "; it cannot take replicas");
}

// --- actions -----------------------------------------------------------------------------------

Result<std::string> CreateService(store::Transaction& tx, const Principal& caller,
                                  const NewService& request, const LifecycleConfig& config,
                                  UnixSeconds now) {
  CUPLANE_TRY(LockAccount(tx, caller));  // first: see PurchaseComputeUnit on the token check
  ClientTokenUse token =
      MakeClientTokenUse(request.client_token, kCreateServiceAction, CreateParameters(request));
  CUPLANE_ASSIGN_OR_RETURN(auto prior, PriorTokenResult(tx, caller.account_id, token, config, now));
  if (prior) return *prior;
  CUPLANE_ASSIGN_OR_RETURN(std::string service_id,
                           request.resources ? CreateWithUnit(tx, caller, request, config, now)
                                             : CreateOnUnits(tx, caller, request, config, now));
  RememberTokenResult(tx, caller.account_id, token, service_id, now);
  return service_id;
}

Result<ServiceDetail> DescribeService(store::Transaction& tx, const Principal& caller,
                                      const std::string& service_id) {
  CUPLANE_ASSIGN_OR_RETURN(Service service, OwnedService(tx, caller, service_id));
  return Detail(tx, std::move(service));
}

Result<ServicePage> DescribeServices(store::Transaction& tx, const Principal& caller,
                                     const ServiceQuery& query) {
  CUPLANE_ASSIGN_OR_RETURN(store::ServiceCursor cursor, DecodeMarker(query.marker));
  constexpr int kChunk = 100;
  ServicePage page;
  // One more than a page tells whether another follows. Filters apply to derived statuses, so
  // the store is read in chunks until enough services match.
  while (static_cast<int>(page.services.size()) <= query.max_keys) {
    auto chunk = tx.ListServicesPage(caller.account_id, cursor, query.reverse, kChunk);
    for (Service& service : chunk) {
      cursor = store::ServiceCursor{service.created_at, service.seq, true};
      ServiceDetail detail = Detail(tx, std::move(service));
      if (!Matches(detail, query)) continue;
      page.services.push_back(std::move(detail));
      if (static_cast<int>(page.services.size()) > query.max_keys) break;
    }
    if (static_cast<int>(chunk.size()) < kChunk) break;
  }
  if (static_cast<int>(page.services.size()) > query.max_keys) {
    page.services.resize(query.max_keys);
    page.truncated = true;
    page.next_marker = EncodeMarker(page.services.back().service);
  }
  return page;
}

Status ScaleService(store::Transaction& tx, const Principal& caller, const std::string& service_id,
                    const std::string& instance_id, std::int64_t replicas,
                    const LifecycleConfig& config, UnixSeconds now) {
  CUPLANE_TRY(LockAccount(tx, caller));
  CUPLANE_ASSIGN_OR_RETURN(Service service, OwnedService(tx, caller, service_id));
  CUPLANE_ASSIGN_OR_RETURN(Instance unit, OwnedInstance(tx, caller, instance_id));
  CUPLANE_TRY(CheckDeployable(service));
  if (unit.region != service.region || unit.type != service.type) {
    return NotAllowed("compute unit " + unit.instance_id + " is " + unit.region + "/" + unit.type +
                      "; service " + service.service_id + " runs on " + service.region + "/" +
                      service.type);
  }
  auto current = tx.GetDeployment(unit.instance_id, service.service_id);
  if (current && IsScaling(*current)) {
    return NotAllowed("the deployment of service " + service.service_id + " on " +
                      unit.instance_id + " is still " +
                      std::string(ToString(current->scale_status)) + "; retry when it is done");
  }
  if (replicas == (current ? current->replicas : 0)) return OkStatus();
  if (replicas == 0) {
    bool others = false;
    for (const Deployment& d : tx.ListDeploymentsOfService(service.service_id)) {
      others = others ||
               (d.instance_id != unit.instance_id && std::max(d.replicas, d.previous_replicas) > 0);
    }
    if (!others) {
      return NotAllowed("this is the last deployment of service " + service.service_id +
                        "; use DeactivateService to stop it");
    }
  }
  if (!CanHostReplicas(unit)) {
    return NotAllowed("compute unit " + unit.instance_id + " is " +
                      std::string(ToString(unit.status)) + "; replicas need a Running unit");
  }
  CUPLANE_TRY(CheckRoom(unit, UsedUnits(tx, unit), current ? current->deployed_units : 0, replicas,
                        service.units_per_replica));
  StartScale(tx, service, unit, current, replicas, now + config.deploy_delay_seconds);
  return OkStatus();
}

Status DeactivateService(store::Transaction& tx, const Principal& caller,
                         const std::string& service_id, const LifecycleConfig& config,
                         UnixSeconds now) {
  CUPLANE_TRY(LockAccount(tx, caller));
  CUPLANE_ASSIGN_OR_RETURN(Service service, OwnedService(tx, caller, service_id));
  if (service.lifecycle == ServiceLifecycle::kDeactivating ||
      service.lifecycle == ServiceLifecycle::kStopped) {
    return OkStatus();
  }
  // Scales in flight stop where they are: the deactivation resolves them when it completes.
  for (Deployment& d : tx.ListDeploymentsOfService(service.service_id)) {
    if (!IsScaling(d) || !d.scale_due_at) continue;
    d.scale_due_at.reset();
    tx.UpdateDeployment(d);
  }
  service.lifecycle = ServiceLifecycle::kDeactivating;
  service.deactivate_at = now + config.deploy_delay_seconds;
  service.pending_fault = TakeFault(tx, FaultOperation::kDeactivate, service.region, service.type);
  tx.UpdateService(service);
  tx.ScheduleTransition(
      Transition{0, *service.deactivate_at, TransitionKind::kDeactivate, service.account_id, ""});
  return OkStatus();
}

void CompleteDueDeactivations(store::Transaction& tx, const std::string& account_id,
                              UnixSeconds at) {
  if (!tx.GetAccount(account_id)) return;  // serialised with the account's service writes
  for (Service& service : tx.ListServices(account_id)) {
    if (service.lifecycle != ServiceLifecycle::kDeactivating || !service.deactivate_at ||
        *service.deactivate_at > at) {
      continue;
    }
    FinishDeactivation(tx, service);
  }
}

}  // namespace cuplane::core
