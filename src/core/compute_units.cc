#include "core/compute_units.h"

#include "common/random_id.h"
#include "core/billing.h"
#include "core/deployments.h"
#include "core/ownership.h"
#include "core/services.h"

namespace cuplane::core {
namespace {

// The instanceId an idempotency key already produced, a mismatch error, or nullopt.
Result<std::optional<std::string>> PriorResult(store::Transaction& tx, const Principal& caller,
                                               const PurchaseOrder& order,
                                               const LifecycleConfig& config, UnixSeconds now) {
  for (const std::string* key : {&order.replay_key, &order.client_token}) {
    if (key->empty()) continue;
    auto record = tx.GetIdempotency(caller.account_id, *key);
    if (!record || record->created_at < now - config.idempotency_window_seconds) continue;
    if (record->fingerprint != order.fingerprint) {
      return MakeError(ErrorCode::kIdempotentParameterMismatch,
                       "clientToken was already used with different parameters");
    }
    return std::optional<std::string>(record->result);
  }
  return std::optional<std::string>();
}

void RememberResult(store::Transaction& tx, const Principal& caller, const PurchaseOrder& order,
                    const std::string& instance_id, UnixSeconds now) {
  for (const std::string* key : {&order.replay_key, &order.client_token}) {
    if (key->empty()) continue;
    if (tx.GetIdempotency(caller.account_id, *key)) continue;
    tx.InsertIdempotency(
        IdempotencyRecord{caller.account_id, *key, order.fingerprint, instance_id, now});
  }
}

// Charges the purchase now (Prepaid) or checks a settlement period is covered (Postpaid).
// Returns the unit price to lock on the instance.
Result<Money> PayForPurchase(store::Transaction& tx, const Account& account,
                             const Instance& instance, const LifecycleConfig& config,
                             UnixSeconds now) {
  auto price = tx.GetPrice(instance.type);
  if (!price) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "no price is set for unit type " + instance.type + "; it is not for sale");
  }
  if (instance.payment_timing == PaymentTiming::kPrepaid) {
    auto cost =
        PrepaidCost(price->prepaid_per_unit_month, instance.total_units, instance.paid_months);
    if (!cost || account.balance < *cost) {
      return MakeError(ErrorCode::kInsufficientBalance,
                       "the account balance cannot pay for this purchase");
    }
    if (*cost > 0) {
      tx.PostLedgerEntry(LedgerEntry{
          0, account.account_id, now, -*cost, LedgerKind::kPrepaid, instance.instance_id,
          std::to_string(instance.paid_months) + " month(s) of " +
              std::to_string(instance.total_units) + " " + instance.type + " unit(s)"});
    }
    return price->prepaid_per_unit_month;
  }
  auto period_cost = PostpaidPeriodCost(price->postpaid_per_unit_hour, instance.total_units,
                                        config.settlement_period_seconds);
  if (!period_cost || account.balance < *period_cost) {
    return MakeError(ErrorCode::kInsufficientBalance,
                     "the account balance cannot cover one settlement period of this unit");
  }
  return price->postpaid_per_unit_hour;
}

}  // namespace

Result<std::string> PurchaseComputeUnit(store::Transaction& tx, const Principal& caller,
                                        const PurchaseOrder& order, const LifecycleConfig& config,
                                        UnixSeconds now) {
  // The account first: where writers run concurrently, reading it in a write transaction
  // locks it, so purchases of one account run one after another and the idempotency check
  // below sees any purchase that committed while this one waited (else two retries of one
  // clientToken on two servers could both buy).
  auto account = tx.GetAccount(caller.account_id);
  if (!account) return NotFound("account", caller.account_id);
  // Expired keys go first, so a token reused after the window starts a fresh record (and the
  // table does not grow without bound).
  tx.DeleteIdempotencyBefore(now - config.idempotency_window_seconds);
  CUPLANE_ASSIGN_OR_RETURN(auto prior, PriorResult(tx, caller, order, config, now));
  if (prior) return *prior;

  CUPLANE_ASSIGN_OR_RETURN(Service service, OwnedService(tx, caller, order.service_id));
  CUPLANE_TRY(CheckDeployable(service));

  Instance instance;
  instance.instance_id = "unit-" + RandomLowerAlnum(12);
  instance.account_id = caller.account_id;
  instance.service_id = service.service_id;
  instance.region = service.region;
  instance.type = service.type;
  instance.replicas_count = order.replicas_count;
  if (__builtin_mul_overflow(order.replicas_count, service.units_per_replica,
                             &instance.total_units)) {
    return MakeError(ErrorCode::kInvalidParameter, "replicasCount is too large");
  }
  instance.payment_timing = order.payment_timing;
  instance.status = InstanceStatus::kCreating;
  instance.created_at = now;
  instance.creator = caller.user_name;
  if (order.payment_timing == PaymentTiming::kPrepaid) {
    instance.reservation_months = order.reservation_months;
    instance.paid_months = order.reservation_months;
    instance.auto_renew = order.auto_renew;
    instance.auto_renew_months = order.auto_renew_months;
  }

  if (!tx.TryAllocate(instance.region, instance.type, instance.total_units)) {
    return MakeError(ErrorCode::kInsufficientInventory,
                     "not enough free " + instance.type + " units in region " + instance.region);
  }
  Money balance_before = account->balance;
  CUPLANE_ASSIGN_OR_RETURN(instance.unit_price,
                           PayForPurchase(tx, *account, instance, config, now));
  if (instance.payment_timing == PaymentTiming::kPrepaid) {
    instance.prepaid_paid = balance_before - tx.GetAccount(caller.account_id)->balance;
  }
  tx.InsertInstance(instance);
  DeployOnPurchase(tx, service, instance, /*fault=*/false);
  tx.ScheduleTransition(Transition{0, now + config.provision_delay_seconds,
                                   TransitionKind::kProvision, instance.account_id,
                                   instance.instance_id});
  RememberResult(tx, caller, order, instance.instance_id, now);
  return instance.instance_id;
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

Result<std::vector<Instance>> ListComputeUnits(store::Transaction& tx, const Principal& caller,
                                               const std::string& service_id,
                                               std::optional<PaymentTiming> payment_timing,
                                               const LifecycleConfig& config, UnixSeconds now) {
  CUPLANE_TRY(OwnedService(tx, caller, service_id));
  store::InstanceFilter filter;
  filter.account_id = caller.account_id;
  filter.service_id = service_id;
  filter.payment_timing = payment_timing;
  filter.hide_released_before = now - config.list_retention_seconds;
  return tx.ListInstances(filter);
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
                                           std::string(ToString(ServiceRunStatus(tx, *service))),
                                           d.scale_status});
  }
  detail.instance = std::move(instance);
  return detail;
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
