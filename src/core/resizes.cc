#include "core/resizes.h"

#include "core/client_tokens.h"
#include "core/deployments.h"
#include "core/faults.h"
#include "core/lifecycle.h"
#include "core/orders.h"
#include "core/ownership.h"
#include "core/prorating.h"

namespace cuplane::core {
namespace {

Error NotAllowed(const std::string& message) {
  return MakeError(ErrorCode::kOperationNotAllowed, message);
}

std::string Units(std::int64_t n) { return std::to_string(n) + (n == 1 ? " unit" : " units"); }

// The state and size guards (SPEC §4.7), before anything is taken or paid.
Status CheckResizable(store::Transaction& tx, const Instance& unit, std::int64_t count) {
  if (unit.status != InstanceStatus::kRunning &&
      unit.status != InstanceStatus::kReconfigureFailed) {
    return NotAllowed("compute unit " + unit.instance_id + " is " +
                      std::string(ToString(unit.status)) +
                      "; only a Running or ReconfigureFailed unit can be resized");
  }
  std::int64_t used = UsedUnits(tx, unit);
  if (count < used) {
    return NotAllowed("count " + std::to_string(count) + " is below the " + Units(used) +
                      " its services use (usedComputeUnits); scale them in first");
  }
  if (count == unit.total_units && unit.status == InstanceStatus::kRunning) {
    return NotAllowed("compute unit " + unit.instance_id + " already has " + Units(count));
  }
  return OkStatus();
}

void Post(store::Transaction& tx, const Instance& unit, UnixSeconds at, Money amount,
          LedgerKind kind, const std::string& note) {
  if (amount == 0) return;
  tx.PostLedgerEntry(LedgerEntry{0, unit.account_id, at, amount, kind, unit.instance_id, note,
                                 unit.resize_order_id});
  if (amount > 0) ClearArrearsIfPaid(tx, unit.account_id);
}

std::string ResizeNote(const Instance& unit) {
  return "resize " + std::to_string(unit.resize_from_units) + " -> " +
         std::to_string(unit.resize_to_units) + " units";
}

// Takes a growth's extra units and pays for them: Prepaid for the rest of its term now,
// Postpaid by checking the account can carry them (as a Postpaid purchase must). Returns what
// was charged.
Result<Money> TakeGrowth(store::Transaction& tx, const Account& account, const Instance& unit,
                         std::int64_t extra, const LifecycleConfig& config, UnixSeconds now) {
  if (!tx.TryAllocate(unit.region, unit.type, extra)) {
    return MakeError(ErrorCode::kInsufficientInventory,
                     "not enough free " + unit.type + " units in region " + unit.region + " for " +
                         Units(extra) + " more");
  }
  if (unit.payment_timing == PaymentTiming::kPostpaid) {
    CUPLANE_TRY(CheckPostpaidCovered(tx, account, unit.unit_price, extra, config, now));
    return Money{0};
  }
  auto term = CurrentTerm(unit);
  std::optional<Money> charge = term ? ProratedCharge(*term, extra, now) : std::nullopt;
  if (!charge || account.balance < *charge) {
    return MakeError(ErrorCode::kInsufficientBalance,
                     "the account balance cannot pay for " + Units(extra) +
                         " more for the rest of the paid term");
  }
  return *charge;
}

void EndResize(Instance& unit, InstanceStatus status) {
  unit.status = status;
  unit.pending_fault = false;
  unit.resize_from_units = 0;
  unit.resize_to_units = 0;
  unit.resize_order_id.clear();
  unit.resize_charge = 0;
}

// A fault: a growth gives its units back, stops billing them and is refunded what it cost; a
// shrink had changed nothing yet. The unit stays at its old size, ReconfigureFailed.
void FailResize(store::Transaction& tx, Instance& unit, UnixSeconds at,
                const LifecycleConfig& config) {
  if (IsGrowing(unit)) {
    tx.Deallocate(unit.region, unit.type, unit.resize_to_units - unit.resize_from_units);
    unit.total_units = unit.resize_from_units;
    SetBilledUnits(tx, unit, unit.total_units, at, config);
    Post(tx, unit, at, unit.resize_charge, LedgerKind::kRefund,
         ResizeNote(unit) + " failed: injected reconfiguration fault");
  }
  EndResize(unit, InstanceStatus::kReconfigureFailed);
  tx.UpdateInstance(unit);
}

// Success: a shrink now gives its units back, stops billing them and (Prepaid) is refunded for
// the rest of the term it is in now; a growth took and paid for everything when accepted.
void FinishResize(store::Transaction& tx, Instance& unit, UnixSeconds at,
                  const LifecycleConfig& config) {
  std::int64_t freed = unit.resize_from_units - unit.resize_to_units;
  if (freed > 0) {
    tx.Deallocate(unit.region, unit.type, freed);
    unit.total_units = unit.resize_to_units;
    SetBilledUnits(tx, unit, unit.total_units, at, config);
    if (auto term = CurrentTerm(unit)) {
      Post(tx, unit, at, ProratedRefund(*term, freed, at).value_or(0), LedgerKind::kResize,
           ResizeNote(unit) + ": the rest of the paid term refunded");
    }
  }
  EndResize(unit, InstanceStatus::kRunning);
  tx.UpdateInstance(unit);
}

}  // namespace

bool IsGrowing(const Instance& unit) {
  return unit.status == InstanceStatus::kReconfiguring &&
         unit.resize_to_units > unit.resize_from_units;
}

Result<PurchaseResult> ResizeComputeUnit(store::Transaction& tx, const Principal& caller,
                                         const ResizeOrder& order, const LifecycleConfig& config,
                                         UnixSeconds now) {
  // The account first: it orders this resize after any other write of the account (and lets
  // the token check see a retry that committed meanwhile), as a purchase does.
  auto account = tx.GetAccount(caller.account_id);
  if (!account) return NotFound("account", caller.account_id);
  ClientTokenUse token = MakeClientTokenUse(order.client_token, kResizeAction,
                                            order.instance_id + " " + std::to_string(order.count));
  CUPLANE_ASSIGN_OR_RETURN(auto prior, PriorTokenResult(tx, caller.account_id, token, config, now));
  if (prior) return DecodeOrderResult(*prior);

  CUPLANE_ASSIGN_OR_RETURN(Instance unit, OwnedInstance(tx, caller, order.instance_id));
  CUPLANE_TRY(CheckResizable(tx, unit, order.count));
  Money charge = 0;
  if (order.count > unit.total_units) {
    CUPLANE_ASSIGN_OR_RETURN(
        charge, TakeGrowth(tx, *account, unit, order.count - unit.total_units, config, now));
  }
  unit.resize_order_id =
      OpenOrder(tx, unit.account_id, unit.instance_id, OrderKind::kResize, now);
  unit.resize_from_units = unit.total_units;
  unit.resize_to_units = order.count;
  unit.resize_charge = charge;
  unit.status = InstanceStatus::kReconfiguring;
  Post(tx, unit, now, -charge, LedgerKind::kResize,
       ResizeNote(unit) + ": the added units for the rest of the paid term");
  // Taken when the resize is accepted; it shows when the reconfiguration completes.
  unit.pending_fault = TakeFault(tx, FaultOperation::kReconfigure, unit.region, unit.type);
  if (order.count > unit.total_units) {
    unit.total_units = order.count;  // held, and billed, from now on
    SetBilledUnits(tx, unit, unit.total_units, now, config);
  }
  tx.UpdateInstance(unit);
  tx.ScheduleTransition(Transition{0, now + config.provision_delay_seconds,
                                   TransitionKind::kReconfigure, unit.account_id,
                                   unit.instance_id});
  PurchaseResult result{unit.instance_id, unit.resize_order_id};
  RememberTokenResult(tx, caller.account_id, token, EncodeOrderResult(result), now);
  return result;
}

void CompleteResize(store::Transaction& tx, Instance& unit, UnixSeconds at,
                    const LifecycleConfig& config) {
  if (unit.status != InstanceStatus::kReconfiguring) return;
  if (unit.pending_fault) {
    FailResize(tx, unit, at, config);
  } else {
    FinishResize(tx, unit, at, config);
  }
}

}  // namespace cuplane::core
