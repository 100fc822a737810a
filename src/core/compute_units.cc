#include "core/compute_units.h"

#include <map>

#include "common/increasing_id.h"
#include "core/billing.h"
#include "core/billing/settlement.h"
#include "core/client_tokens.h"
#include "core/deployments.h"
#include "core/faults.h"
#include "core/lifecycle.h"
#include "core/orders.h"
#include "core/ownership.h"
#include "core/services.h"

namespace cuplane::core {
namespace {

// The parameters of a purchase for a service, in the form records were first written in (so a
// retry across an upgrade still matches), with a release time only when one is asked for.
std::string ServicePurchaseParameters(const PurchaseOrder& order) {
  const BillingTerms& b = order.billing;
  std::string text = order.service_id + "\n" + std::to_string(order.replicas_count) + "\n" +
                     std::string(ToString(b.payment_timing)) + "\n" +
                     std::to_string(b.reservation_months) + "\n" + (b.auto_renew ? "1" : "0") +
                     "\n" + std::to_string(b.auto_renew_months);
  if (b.release_time) text += "\nrelease " + std::to_string(*b.release_time);
  return text;
}

Error NotForSale(const std::string& type) {
  return MakeError(ErrorCode::kOperationNotAllowed,
                   "no price is set for unit type " + type + "; it is not for sale");
}

// Charges the purchase now (Prepaid) or checks a settlement period is covered (Postpaid).
// Returns what a Prepaid purchase cost (0 for Postpaid).
Result<Money> PayForPurchase(store::Transaction& tx, const Account& account,
                             const Instance& instance, const Price& price,
                             const LifecycleConfig& config, UnixSeconds now) {
  if (instance.payment_timing == PaymentTiming::kPrepaid) {
    auto cost =
        PrepaidCost(price.prepaid_per_unit_month, instance.total_units, instance.paid_months);
    if (!cost || account.balance < *cost) {
      return MakeError(ErrorCode::kInsufficientBalance,
                       "the account balance cannot pay for this purchase");
    }
    if (*cost > 0) {
      LedgerEntry entry{0,
                        account.account_id,
                        now,
                        -*cost,
                        LedgerKind::kPrepaid,
                        instance.instance_id,
                        std::to_string(instance.paid_months) + " month(s) of " +
                            std::to_string(instance.total_units) + " " + instance.type +
                            " unit(s)",
                        instance.order_id};
      tx.PostLedgerEntry(entry);
    }
    return *cost;
  }
  CUPLANE_TRY(CheckPostpaidCovered(tx, account, price.postpaid_per_unit_hour,
                                    instance.total_units, config, now));
  return Money{0};
}

}  // namespace

std::string EncodeOrderResult(const PurchaseResult& r) { return r.instance_id + " " + r.order_id; }

PurchaseResult DecodeOrderResult(const std::string& stored) {
  auto space = stored.find(' ');
  if (space == std::string::npos) return PurchaseResult{stored, ""};
  return PurchaseResult{stored.substr(0, space), stored.substr(space + 1)};
}

Status CheckPostpaidCovered(store::Transaction& tx, const Account& account,
                            Money price_per_unit_hour, std::int64_t units,
                            const LifecycleConfig& config, UnixSeconds now) {
  // What the account already owes counts against its balance, and an account in arrears
  // cannot take on more Postpaid usage.
  auto period_cost = PostpaidPeriodCost(price_per_unit_hour, units, config.settlement_period_seconds);
  Money available = account.balance - billing::UnsettledUsage(tx, account.account_id, now);
  if (!period_cost || account.in_arrears_since || available < *period_cost) {
    return MakeError(ErrorCode::kInsufficientBalance,
                     "the account balance cannot cover one settlement period of " +
                         std::to_string(units) + " more Postpaid unit(s)");
  }
  return OkStatus();
}

std::string BillingTerms::Canonical() const {
  std::string text = std::string(ToString(payment_timing)) + " " +
                     std::to_string(reservation_months) + " " + (auto_renew ? "1" : "0") + " " +
                     std::to_string(auto_renew_months);
  if (release_time) text += " release " + std::to_string(*release_time);
  return text;
}

Result<PurchaseResult> BuyUnit(store::Transaction& tx, const Principal& caller,
                               const UnitSpec& spec, const BillingTerms& billing,
                               const LifecycleConfig& config, UnixSeconds now) {
  if (billing.release_time && *billing.release_time <= now) {
    return InvalidParameter("billing.releaseTime must be in the future");
  }
  auto price = tx.GetPrice(spec.type);
  if (!price) return NotForSale(spec.type);

  Instance instance;
  // Increasing ids keep a batch's index entries on shared pages (common/increasing_id.h).
  static IncreasingId unit_ids(7, 5);
  instance.instance_id = "unit-" + unit_ids.Next();
  instance.account_id = caller.account_id;
  instance.service_id = spec.service_id;
  instance.region = spec.region;
  instance.type = spec.type;
  instance.replicas_count = spec.replicas_count;
  instance.total_units = spec.units;
  instance.payment_timing = billing.payment_timing;
  instance.status = InstanceStatus::kCreating;
  instance.created_at = now;
  instance.creator = caller.user_name;
  if (billing.payment_timing == PaymentTiming::kPrepaid) {
    instance.reservation_months = billing.reservation_months;
    instance.paid_months = billing.reservation_months;
    instance.auto_renew = billing.auto_renew;
    instance.auto_renew_months = billing.auto_renew_months;
    instance.unit_price = price->prepaid_per_unit_month;
    instance.term_months = billing.reservation_months;
    instance.term_unit_price = price->prepaid_per_unit_month;
  } else {
    instance.release_time = billing.release_time;
    instance.unit_price = price->postpaid_per_unit_hour;
  }

  if (!tx.TryAllocate(instance.region, instance.type, instance.total_units)) {
    return MakeError(ErrorCode::kInsufficientInventory,
                     "not enough free " + instance.type + " units in region " + instance.region);
  }
  auto account = tx.GetAccount(caller.account_id);
  if (!account) return NotFound("account", caller.account_id);
  instance.order_id =
      OpenOrder(tx, caller.account_id, instance.instance_id, OrderKind::kPurchase, now);
  CUPLANE_ASSIGN_OR_RETURN(instance.prepaid_paid,
                           PayForPurchase(tx, *account, instance, *price, config, now));
  // Taken when the purchase is accepted; it shows when provisioning runs (CreateFailed).
  instance.pending_fault =
      TakeFault(tx, FaultOperation::kProvision, instance.region, instance.type);
  tx.InsertInstance(instance);
  tx.ScheduleTransition(Transition{0, now + config.provision_delay_seconds,
                                   TransitionKind::kProvision, instance.account_id,
                                   instance.instance_id});
  if (instance.release_time) {
    tx.ScheduleTransition(Transition{0, *instance.release_time, TransitionKind::kAutoRelease,
                                     instance.account_id, instance.instance_id});
  }
  return PurchaseResult{instance.instance_id, instance.order_id};
}

Result<PurchaseResult> PurchaseComputeUnit(store::Transaction& tx, const Principal& caller,
                                           const PurchaseOrder& order,
                                           const LifecycleConfig& config, UnixSeconds now) {
  // The account first: where writers run concurrently, reading it in a write transaction
  // locks it, so purchases of one account run one after another and the token check below
  // sees any purchase that committed while this one waited.
  auto account = tx.GetAccount(caller.account_id);
  if (!account) return NotFound("account", caller.account_id);
  ClientTokenUse token = MakeClientTokenUse(order.client_token, kPurchaseForServiceAction,
                                            ServicePurchaseParameters(order));
  CUPLANE_ASSIGN_OR_RETURN(auto prior, PriorTokenResult(tx, caller.account_id, token, config, now));
  if (prior) return DecodeOrderResult(*prior);

  CUPLANE_ASSIGN_OR_RETURN(Service service, OwnedService(tx, caller, order.service_id));
  CUPLANE_TRY(CheckDeployable(service));
  UnitSpec spec{service.region, service.type, 0, service.service_id, order.replicas_count};
  if (__builtin_mul_overflow(order.replicas_count, service.units_per_replica, &spec.units)) {
    return InvalidParameter("replicasCount is too large");
  }
  CUPLANE_ASSIGN_OR_RETURN(PurchaseResult bought,
                           BuyUnit(tx, caller, spec, order.billing, config, now));
  DeployOnPurchase(tx, service, bought.instance_id, order.replicas_count);
  RememberTokenResult(tx, caller.account_id, token, EncodeOrderResult(bought), now);
  return bought;
}

std::optional<std::string> ChooseRegion(const std::vector<Pool>& pools, std::string_view type,
                                        std::int64_t units) {
  const Pool* best = nullptr;
  for (const Pool& p : pools) {
    std::int64_t free = p.total_units - p.allocated_units;
    if (p.type != type || free < units) continue;
    std::int64_t best_free = best ? best->total_units - best->allocated_units : -1;
    if (!best || free > best_free || (free == best_free && p.region < best->region)) best = &p;
  }
  if (!best) return std::nullopt;
  return best->region;
}

Result<std::string> PlacePurchase(store::Transaction& tx, const std::string& type,
                                  const std::string& region, std::int64_t units) {
  if (!tx.GetPrice(type)) return NotForSale(type);
  if (!region.empty()) return region;
  auto chosen = ChooseRegion(tx.ListPools(), type, units);
  if (!chosen) {
    return MakeError(ErrorCode::kInsufficientInventory,
                     "no region has " + std::to_string(units) + " free " + type + " units");
  }
  return *chosen;
}

Result<PurchaseResult> PurchaseUnits(store::Transaction& tx, const Principal& caller,
                                     const UnitPurchaseOrder& order, const LifecycleConfig& config,
                                     UnixSeconds now) {
  auto account = tx.GetAccount(caller.account_id);  // first: see PurchaseComputeUnit
  if (!account) return NotFound("account", caller.account_id);
  ClientTokenUse token = MakeClientTokenUse(
      order.client_token, kPurchaseUnitsAction,
      order.type + " " + (order.region.empty() ? "*" : order.region) + " " +
          std::to_string(order.count) + " " + order.billing.Canonical());
  CUPLANE_ASSIGN_OR_RETURN(auto prior, PriorTokenResult(tx, caller.account_id, token, config, now));
  if (prior) return DecodeOrderResult(*prior);

  UnitSpec spec{"", order.type, order.count, "", 0};
  CUPLANE_ASSIGN_OR_RETURN(spec.region, PlacePurchase(tx, order.type, order.region, order.count));
  CUPLANE_ASSIGN_OR_RETURN(PurchaseResult bought,
                           BuyUnit(tx, caller, spec, order.billing, config, now));
  RememberTokenResult(tx, caller.account_id, token, EncodeOrderResult(bought), now);
  return bought;
}

std::string_view ListStatus(InstanceStatus status) {
  switch (status) {
    case InstanceStatus::kCreating:
      return "Creating";
    case InstanceStatus::kReleased:
    case InstanceStatus::kCreateFailed:
      return "Deleted";
    default:
      return "Running";
  }
}

Result<std::vector<ServiceUnitView>> ListComputeUnits(store::Transaction& tx,
                                                      const Principal& caller,
                                                      const std::string& service_id,
                                                      std::optional<PaymentTiming> payment_timing,
                                                      const LifecycleConfig& config,
                                                      UnixSeconds now) {
  CUPLANE_TRY(OwnedService(tx, caller, service_id));
  store::InstanceFilter filter;
  filter.account_id = caller.account_id;
  filter.service_id = service_id;
  filter.payment_timing = payment_timing;
  filter.hide_released_before = now - config.list_retention_seconds;
  // One read of the service's deployments rather than one per unit listed.
  std::map<std::string, std::int64_t> replicas;
  for (const Deployment& d : tx.ListDeploymentsOfService(service_id)) {
    replicas[d.instance_id] = d.replicas;
  }
  std::vector<ServiceUnitView> units;
  for (Instance& i : tx.ListInstances(filter)) {
    auto found = replicas.find(i.instance_id);
    units.push_back(ServiceUnitView{std::move(i), found == replicas.end() ? 0 : found->second});
  }
  return units;
}

Result<ServiceUnitView> DescribeServiceUnit(store::Transaction& tx, const Principal& caller,
                                            const std::string& service_id,
                                            const std::string& instance_id,
                                            const LifecycleConfig& config, UnixSeconds now) {
  CUPLANE_ASSIGN_OR_RETURN(Instance instance,
                           ServiceUnit(tx, caller, service_id, instance_id, config, now));
  auto deployment = tx.GetDeployment(instance_id, service_id);
  return ServiceUnitView{std::move(instance), deployment ? deployment->replicas : 0};
}

Result<ComputeUnitDetail> DescribeComputeUnit(store::Transaction& tx, const Principal& caller,
                                              const std::string& instance_id) {
  CUPLANE_ASSIGN_OR_RETURN(Instance instance, OwnedInstance(tx, caller, instance_id));
  ComputeUnitDetail detail;
  for (const Deployment& d : tx.ListDeployments(instance.instance_id)) {
    auto service = tx.GetService(d.service_id);
    if (!service) continue;
    detail.used_units += d.deployed_units;
    detail.services.push_back(ServiceUsage{*service, d.deployed_units,
                                           std::string(ToString(ServiceRunStatus(tx, *service, instance, d))),
                                           d.scale_status});
  }
  detail.instance = std::move(instance);
  return detail;
}

UnitPage ListUnitPage(store::Transaction& tx, store::UnitQuery query) {
  const int page = query.limit;
  if (page > 0) query.limit = page + 1;  // one more tells whether another page follows
  std::vector<Instance> found = tx.ListUnits(query);
  UnitPage result;
  if (page > 0 && static_cast<int>(found.size()) > page) {
    found.resize(page);
    result.next = store::UnitCursor{found.back().created_at, found.back().seq};
  }
  for (Instance& i : found) {
    std::int64_t used = UsedUnits(tx, i);
    result.units.push_back(ComputeUnitDetail{std::move(i), used, {}});
  }
  return result;
}

UnitPage ListAccountUnits(store::Transaction& tx, const Principal& caller, store::UnitQuery query,
                          const LifecycleConfig& config, UnixSeconds now) {
  query.account_id = caller.account_id;
  query.hide_released_before = now - config.list_retention_seconds;
  return ListUnitPage(tx, std::move(query));
}

Result<Instance> ServiceUnit(store::Transaction& tx, const Principal& caller,
                             const std::string& service_id, const std::string& instance_id,
                             const LifecycleConfig& config, UnixSeconds now) {
  CUPLANE_TRY(OwnedService(tx, caller, service_id));
  CUPLANE_ASSIGN_OR_RETURN(Instance instance, OwnedInstance(tx, caller, instance_id));
  bool linked = instance.service_id == service_id || tx.ServedBy(instance_id, service_id);
  // A service forgets a released unit when its list does (the retention window).
  bool forgotten = instance.released_at && *instance.released_at < now - config.list_retention_seconds;
  if (!linked || forgotten) {
    return MakeError(ErrorCode::kResourceNotFound, "compute unit instance " + instance_id +
                                                       " does not belong to service " + service_id);
  }
  return instance;
}

Status ReleaseComputeUnit(store::Transaction& tx, const Principal& caller,
                          const std::string& instance_id, const std::string& service_id,
                          const LifecycleConfig& config, UnixSeconds now) {
  CUPLANE_ASSIGN_OR_RETURN(
      Instance instance, service_id.empty()
                             ? OwnedInstance(tx, caller, instance_id)
                             : ServiceUnit(tx, caller, service_id, instance_id, config, now));
  // First, so that a retried release succeeds whatever the unit's payment type.
  if (IsTerminal(instance.status) || instance.status == InstanceStatus::kReleasing) {
    return OkStatus();
  }
  if (instance.payment_timing == PaymentTiming::kPrepaid) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "a Prepaid compute unit cannot be released; it ends at its expiry");
  }
  ReleaseInstance(tx, instance, now, config);
  return OkStatus();
}

Status SetAutoRelease(store::Transaction& tx, const Principal& caller,
                      const std::string& instance_id, std::optional<UnixSeconds> release_time,
                      UnixSeconds now) {
  CUPLANE_ASSIGN_OR_RETURN(Instance instance, OwnedInstance(tx, caller, instance_id));
  if (instance.payment_timing != PaymentTiming::kPostpaid) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "automatic release applies only to Postpaid compute units");
  }
  if (IsTerminal(instance.status) || instance.status == InstanceStatus::kReleasing) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "the compute unit is " + std::string(ToString(instance.status)));
  }
  if (release_time && *release_time <= now) {
    return MakeError(ErrorCode::kInvalidParameter, "releaseTime must be in the future");
  }
  tx.CancelTransitions(instance.instance_id, TransitionKind::kAutoRelease);
  instance.release_time = release_time;
  tx.UpdateInstance(instance);
  if (release_time) {
    tx.ScheduleTransition(Transition{0, *release_time, TransitionKind::kAutoRelease,
                                     instance.account_id, instance.instance_id});
  }
  return OkStatus();
}

}  // namespace cuplane::core
