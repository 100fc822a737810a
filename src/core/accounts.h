// Accounts and their money (SPEC §5, §6): creation with an opening balance, top-ups, and the
// account statement, which first settles Postpaid usage up to now.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "core/lifecycle_config.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// Creates an account; a positive opening balance is its first `topup` ledger entry.
Status CreateAccount(store::Transaction& tx, const std::string& account_id, const std::string& name,
                     Money opening_balance, UnixSeconds now);

// Credits the account; leaves arrears when the balance is no longer negative.
Result<Money> TopUpBalance(store::Transaction& tx, const std::string& account_id, Money amount,
                           UnixSeconds now);

struct AccountStatement {
  Account account;
  std::vector<LedgerEntry> entries;  // newest first
  std::int64_t next_marker = 0;      // 0: no more entries
};

// Settles the account's Postpaid usage up to `now` (off the grid), then returns the balance and one page of
// the ledger (entries older than `before_id` when > 0).
Result<AccountStatement> DescribeAccount(store::Transaction& tx, const std::string& account_id,
                                         std::int64_t before_id, int limit,
                                         const LifecycleConfig& config, UnixSeconds now);

struct AccountPage {
  std::vector<store::AccountSummary> accounts;
  std::optional<store::AccountCursor> next;  // set when more accounts follow
};

// One page of accounts in creation order (by id within a second), with their live units.
// Settles nothing: a list must not write.
AccountPage ListAccounts(store::Transaction& tx, const std::optional<store::AccountCursor>& after,
                         int limit);

}  // namespace cuplane::core
