#include "core/accounts.h"

#include "core/billing/settlement.h"
#include "core/lifecycle.h"

namespace cuplane::core {

Status CreateAccount(store::Transaction& tx, const std::string& account_id, const std::string& name,
                     Money opening_balance, UnixSeconds now) {
  if (opening_balance < 0) {
    return MakeError(ErrorCode::kInvalidParameter, "balance must not be negative");
  }
  if (tx.GetAccount(account_id)) {
    return MakeError(ErrorCode::kOperationNotAllowed, "account " + account_id + " already exists");
  }
  tx.InsertAccount(Account{account_id, name, 0, std::nullopt, now});
  if (opening_balance > 0) {
    tx.PostLedgerEntry(LedgerEntry{0, account_id, now, opening_balance, LedgerKind::kTopup, "",
                                   "opening balance", ""});
  }
  return OkStatus();
}

Result<Money> TopUpBalance(store::Transaction& tx, const std::string& account_id, Money amount,
                           UnixSeconds now) {
  if (amount <= 0) return MakeError(ErrorCode::kInvalidParameter, "amount must be positive");
  auto account = tx.GetAccount(account_id);
  if (!account) {
    return MakeError(ErrorCode::kResourceNotFound, "account " + account_id + " does not exist");
  }
  if (account->balance > INT64_MAX - amount) {
    return MakeError(ErrorCode::kInvalidParameter, "amount would overflow the balance");
  }
  Money balance =
      tx.PostLedgerEntry(LedgerEntry{0, account_id, now, amount, LedgerKind::kTopup, "", "top-up", ""});
  ClearArrearsIfPaid(tx, account_id);
  return balance;
}

Result<AccountStatement> DescribeAccount(store::Transaction& tx, const std::string& account_id,
                                         std::int64_t before_id, int limit,
                                         const LifecycleConfig& config, UnixSeconds now) {
  if (!tx.GetAccount(account_id)) {
    return MakeError(ErrorCode::kResourceNotFound, "account " + account_id + " does not exist");
  }
  billing::SettleAccount(tx, account_id, now, config);
  AccountStatement statement;
  statement.account = *tx.GetAccount(account_id);
  // One extra row tells whether another page follows.
  statement.entries = tx.ListLedger(account_id, before_id, limit + 1);
  if (static_cast<int>(statement.entries.size()) > limit) {
    statement.entries.resize(limit);
    statement.next_marker = statement.entries.back().id;
  }
  return statement;
}

AccountPage ListAccounts(store::Transaction& tx, const std::optional<store::AccountCursor>& after,
                         int limit) {
  AccountPage page;
  // One extra row tells whether another page follows.
  page.accounts = tx.ListAccounts(after, limit + 1);
  if (static_cast<int>(page.accounts.size()) > limit) {
    page.accounts.resize(limit);
    const Account& last = page.accounts.back().account;
    page.next = store::AccountCursor{last.created_at, last.account_id};
  }
  return page;
}

}  // namespace cuplane::core
