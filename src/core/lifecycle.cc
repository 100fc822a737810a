#include "core/lifecycle.h"

#include "core/billing.h"
#include "core/billing/settlement.h"
#include "core/deployments.h"
#include "core/orders.h"
#include "core/resizes.h"
#include "core/services.h"

namespace cuplane::core {
namespace {

void Schedule(store::Transaction& tx, TransitionKind kind, const Instance& instance,
              UnixSeconds due_at) {
  tx.ScheduleTransition(Transition{0, due_at, kind, instance.account_id, instance.instance_id});
}

void CancelAll(store::Transaction& tx, const std::string& instance_id) {
  for (auto kind : {TransitionKind::kProvision, TransitionKind::kExpire,
                    TransitionKind::kAutoRelease, TransitionKind::kReconfigure}) {
    tx.CancelTransitions(instance_id, kind);
  }
}

void Provision(store::Transaction& tx, Instance& instance, UnixSeconds at,
               const LifecycleConfig& config) {
  if (instance.status != InstanceStatus::kCreating) return;
  if (instance.pending_fault) {
    FailProvisioning(tx, instance, at, "injected provisioning fault");
    return;
  }
  instance.start_time = at;
  if (instance.payment_timing == PaymentTiming::kPrepaid) {
    instance.expired_time = AddCalendarMonths(at, instance.paid_months);
    Schedule(tx, TransitionKind::kExpire, instance, *instance.expired_time);
  }
  instance.status = InstanceStatus::kRunning;
  tx.UpdateInstance(instance);
  SetBilledUnits(tx, instance, instance.total_units, at, config);
  StartScalesWaitingForUnit(tx, instance, at, config);
}

// End of a Prepaid reservation: renew when asked to and the balance pays, else release.
void Expire(store::Transaction& tx, Instance& instance, UnixSeconds at,
            const LifecycleConfig& config) {
  if (IsTerminal(instance.status) || instance.payment_timing != PaymentTiming::kPrepaid) return;
  if (instance.auto_renew) {
    auto price = tx.GetPrice(instance.type);
    auto account = tx.GetAccount(instance.account_id);
    std::optional<Money> cost;
    if (price) {
      cost = PrepaidCost(price->prepaid_per_unit_month, instance.total_units,
                         instance.auto_renew_months);
    }
    if (cost && account && account->balance >= *cost) {
      std::string order_id =
          OpenOrder(tx, instance.account_id, instance.instance_id, OrderKind::kRenewal, at);
      if (*cost > 0) {
        LedgerEntry charge{
            0,
            instance.account_id,
            at,
            -*cost,
            LedgerKind::kRenewal,
            instance.instance_id,
            "auto-renew " + std::to_string(instance.auto_renew_months) + " month(s)",
            order_id};
        tx.PostLedgerEntry(charge);
      }
      instance.paid_months += instance.auto_renew_months;
      instance.term_months = instance.auto_renew_months;
      instance.term_unit_price = price->prepaid_per_unit_month;
      // A growth in flight is renewed at the size it holds; should it fail, what it cost,
      // this renewal's share included, is refunded (core/resizes.h).
      if (IsGrowing(instance)) {
        instance.resize_charge += *PrepaidCost(price->prepaid_per_unit_month,
                                               instance.resize_to_units -
                                                   instance.resize_from_units,
                                               instance.auto_renew_months);
      }
      // From the start, not from the last expiry, so month-end clamping never drifts.
      instance.expired_time = AddCalendarMonths(*instance.start_time, instance.paid_months);
      tx.UpdateInstance(instance);
      Schedule(tx, TransitionKind::kExpire, instance, *instance.expired_time);
      return;
    }
  }
  ReleaseInstance(tx, instance, at, config);
}

void ArrearsCheck(store::Transaction& tx, const std::string& account_id, UnixSeconds at,
                  const LifecycleConfig& config) {
  auto account = tx.GetAccount(account_id);
  if (!account || !account->in_arrears_since) return;
  if (account->balance >= 0) {
    tx.SetArrearsSince(account_id, std::nullopt);
    return;
  }
  for (Instance& instance : tx.ListLivePostpaid(account_id)) {
    ReleaseInstance(tx, instance, at, config);
  }
}

}  // namespace

void SetBilledUnits(store::Transaction& tx, Instance& instance, std::int64_t units, UnixSeconds at,
                    const LifecycleConfig& config) {
  billing::SetBilledUnits(tx, instance, units, at, config);
}

void ReleaseInstance(store::Transaction& tx, Instance& instance, UnixSeconds at,
                     const LifecycleConfig& config) {
  if (IsTerminal(instance.status)) return;
  if (instance.payment_timing == PaymentTiming::kPostpaid) {
    SetBilledUnits(tx, instance, 0, at, config);
    billing::SettleAccount(tx, instance.account_id, at, config);  // a release settles at once
  }
  instance.status = InstanceStatus::kReleased;
  instance.released_at = at;
  tx.UpdateInstance(instance);
  tx.Deallocate(instance.region, instance.type, instance.total_units);
  EndDeploymentsOnRelease(tx, instance, at);
  CancelAll(tx, instance.instance_id);
}

void FailProvisioning(store::Transaction& tx, Instance& instance, UnixSeconds at,
                      const std::string& reason) {
  if (instance.status != InstanceStatus::kCreating) return;
  instance.status = InstanceStatus::kCreateFailed;
  instance.released_at = at;
  instance.pending_fault = false;
  tx.UpdateInstance(instance);
  tx.Deallocate(instance.region, instance.type, instance.total_units);
  EndDeploymentsOnRelease(tx, instance, at);
  CancelAll(tx, instance.instance_id);
  if (instance.prepaid_paid > 0) {
    LedgerEntry refund{0,
                       instance.account_id,
                       at,
                       instance.prepaid_paid,
                       LedgerKind::kRefund,
                       instance.instance_id,
                       "provisioning failed: " + reason,
                       instance.order_id};
    tx.PostLedgerEntry(refund);
    ClearArrearsIfPaid(tx, instance.account_id);
  }
}

void ClearArrearsIfPaid(store::Transaction& tx, const std::string& account_id) {
  auto account = tx.GetAccount(account_id);
  if (!account || !account->in_arrears_since || account->balance < 0) return;
  tx.SetArrearsSince(account_id, std::nullopt);
  tx.CancelAccountTransitions(account_id, TransitionKind::kArrearsCheck);
}

Status ApplyTransition(store::Transaction& tx, const Transition& transition,
                       const LifecycleConfig& config) {
  switch (transition.kind) {
    case TransitionKind::kArrearsCheck:
      ArrearsCheck(tx, transition.account_id, transition.due_at, config);
      return OkStatus();
    case TransitionKind::kDeactivate:
      CompleteDueDeactivations(tx, transition.account_id, transition.due_at);
      return OkStatus();
    case TransitionKind::kDeploy:
      CompleteDueScales(tx, transition.account_id, transition.instance_id, transition.due_at);
      return OkStatus();
    default:
      break;
  }
  if (transition.kind == TransitionKind::kSettle) {
    billing::ApplyGridSettlement(tx, transition.account_id, transition.due_at, config);
    return OkStatus();
  }
  auto instance = tx.GetInstance(transition.instance_id);
  if (!instance) return OkStatus();  // nothing left to act on
  switch (transition.kind) {
    case TransitionKind::kProvision:
      Provision(tx, *instance, transition.due_at, config);
      break;
    case TransitionKind::kExpire:
      Expire(tx, *instance, transition.due_at, config);
      break;
    case TransitionKind::kAutoRelease:
      ReleaseInstance(tx, *instance, transition.due_at, config);
      break;
    case TransitionKind::kReconfigure:
      CompleteResize(tx, *instance, transition.due_at, config);
      break;
    case TransitionKind::kSettle:      // account-level, handled above
    case TransitionKind::kArrearsCheck:
    case TransitionKind::kDeploy:
    case TransitionKind::kDeactivate:
      break;  // handled above
  }
  return OkStatus();
}

}  // namespace cuplane::core
