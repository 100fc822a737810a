#include "core/billing/settlement.h"

#include "core/billing/accrual.h"

namespace cuplane::core::billing {
namespace {

// The account's state, or a fresh one accrued to `at` for its first billed unit.
PostpaidAccount LoadOrCreate(store::Transaction& tx, const std::string& account_id,
                             UnixSeconds at) {
  if (auto existing = tx.GetPostpaidAccount(account_id)) return *existing;
  PostpaidAccount fresh;
  fresh.account_id = account_id;
  fresh.accrued_until = at;
  return fresh;
}

void ScheduleGridSettlement(store::Transaction& tx, PostpaidAccount& account, UnixSeconds after,
                            const LifecycleConfig& config) {
  UnixSeconds due = NextGridTime(after, config.settlement_period_seconds);
  tx.ScheduleTransition(Transition{0, due, TransitionKind::kSettle, account.account_id, ""});
  account.next_settlement_at = due;
}

// Accrues to `at` and charges what is due, on the account row already read (locked) by the
// caller. The caller writes `postpaid` back.
void Settle(store::Transaction& tx, const Account& account, PostpaidAccount& postpaid,
            UnixSeconds at, const LifecycleConfig& config) {
  AccrueTo(postpaid, at);
  // Usage past a pending transition's time may yet be taken back (an overdue release that has
  // not run): charge only once everything before the accrued time has been applied.
  if (tx.HasTransitionDueBefore(account.account_id, postpaid.accrued_until)) return;
  Money due = Unsettled(postpaid);
  if (due <= 0) return;
  postpaid.charged += due;
  Money balance = tx.PostLedgerEntry(LedgerEntry{0, account.account_id, at, -due,
                                                 LedgerKind::kPostpaid, "", "usage settlement", ""});
  if (balance < 0 && !account.in_arrears_since) EnterArrears(tx, account.account_id, at, config);
}

}  // namespace

void SetBilledUnits(store::Transaction& tx, const Instance& instance, std::int64_t units,
                    UnixSeconds at, const LifecycleConfig& config) {
  if (instance.payment_timing != PaymentTiming::kPostpaid) return;
  auto open = tx.GetOpenSegment(instance.instance_id);
  std::int64_t before = open ? open->units : 0;
  if (units == before) return;
  // The account first: its lock orders this change against every other one on the account.
  if (!tx.GetAccount(instance.account_id)) return;
  if (open && open->start_at == at && units > 0) {
    open->units = units;  // two changes in one second: the first lasted no time
    tx.PutSegment(*open);
  } else {
    if (open) {
      open->end_at = at;
      tx.PutSegment(*open);
    }
    if (units > 0) {
      tx.PutSegment(UsageSegment{instance.instance_id, instance.account_id, instance.type, at,
                                 std::nullopt, units, instance.unit_price});
    }
  }
  PostpaidAccount account = LoadOrCreate(tx, instance.account_id, at);
  // Sizes and prices are bounded at purchase, so the product fits; the guard keeps a corrupt
  // row from wrapping the rate around.
  Money delta = RateOf(instance.unit_price, units - before).value_or(0);
  ChangeRate(account, delta, at);
  if (account.rate > 0 && !account.next_settlement_at) {
    ScheduleGridSettlement(tx, account, at, config);
  }
  tx.PutPostpaidAccount(account);
}

void SettleAccount(store::Transaction& tx, const std::string& account_id, UnixSeconds at,
                   const LifecycleConfig& config) {
  auto account = tx.GetAccount(account_id);
  if (!account) return;
  auto postpaid = tx.GetPostpaidAccount(account_id);
  if (!postpaid) return;
  Settle(tx, *account, *postpaid, at, config);
  tx.PutPostpaidAccount(*postpaid);
}

void ApplyGridSettlement(store::Transaction& tx, const std::string& account_id,
                         UnixSeconds due_at, const LifecycleConfig& config) {
  auto account = tx.GetAccount(account_id);
  if (!account) return;
  auto postpaid = tx.GetPostpaidAccount(account_id);
  if (!postpaid) return;
  Settle(tx, *account, *postpaid, due_at, config);
  postpaid->next_settlement_at.reset();
  if (postpaid->rate > 0) ScheduleGridSettlement(tx, *postpaid, due_at, config);
  tx.PutPostpaidAccount(*postpaid);
}

Money UnsettledUsage(store::Transaction& tx, const std::string& account_id, UnixSeconds now) {
  auto postpaid = tx.GetPostpaidAccount(account_id);
  if (!postpaid) return 0;
  AccrueTo(*postpaid, now);
  return Unsettled(*postpaid);
}

int ResumeSettlements(store::Transaction& tx, const LifecycleConfig& config) {
  int scheduled = 0;
  for (PostpaidAccount& listed : tx.ListUnscheduledPostpaidAccounts()) {
    if (!tx.GetAccount(listed.account_id)) continue;
    auto account = tx.GetPostpaidAccount(listed.account_id);  // again, now under the lock
    if (!account || account->next_settlement_at || account->rate <= 0) continue;
    ScheduleGridSettlement(tx, *account, account->accrued_until, config);
    tx.PutPostpaidAccount(*account);
    ++scheduled;
  }
  return scheduled;
}

void EnterArrears(store::Transaction& tx, const std::string& account_id, UnixSeconds at,
                  const LifecycleConfig& config) {
  tx.SetArrearsSince(account_id, at);
  tx.ScheduleTransition(Transition{0, at + config.arrears_grace_seconds,
                                   TransitionKind::kArrearsCheck, account_id, ""});
}

}  // namespace cuplane::core::billing
